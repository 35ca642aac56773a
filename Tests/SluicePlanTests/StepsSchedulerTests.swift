import SluicePlan
import SluiceSpec
import Testing

/// The pure steps scheduler (Argo's steps.go), fed the ends of each group by hand: no processes, no store.
@Suite("StepsScheduler")
struct StepsSchedulerTests {
    typealias End = StepsScheduler.StepEnd

    @Test("groups run in order; every group succeeding leaves the outcome to the template's outputs")
    func groupsInOrder() {
        var scheduler = StepsScheduler(groupCount: 3, failsFast: false)
        var ran: [Int] = []
        while let index = scheduler.nextGroup() {
            ran.append(index)
            let verdict = scheduler.groupFinished([
                End(name: "a", nodeID: "n\(index)a", phase: .succeeded),
                End(name: "b", nodeID: "n\(index)b", phase: .skipped),
            ])
            #expect(verdict == .init(.succeeded))
        }
        #expect(ran == [0, 1, 2])
        #expect(scheduler.verdict(stopMessage: nil) == nil)
    }

    @Test("a failed step without continueOn fails its group with Argo's message, and no later group runs")
    func failureStops() {
        var scheduler = StepsScheduler(groupCount: 3, failsFast: false)
        #expect(scheduler.nextGroup() == 0)
        let verdict = scheduler.groupFinished([
            End(name: "ok", nodeID: "n-ok", phase: .succeeded),
            End(name: "bad", nodeID: "n-bad", phase: .error),
            End(name: "worse", nodeID: "n-worse", phase: .failed),
        ])
        #expect(verdict == .init(.error, message: "child 'n-bad' failed"))
        #expect(scheduler.nextGroup() == nil)
        #expect(scheduler.verdict(stopMessage: nil) == .init(.error, message: "child 'n-bad' failed"))
    }

    @Test("continueOn tolerates only the phase it names")
    func continueOn() {
        var scheduler = StepsScheduler(groupCount: 2, failsFast: false)
        _ = scheduler.nextGroup()
        let tolerated = scheduler.groupFinished([
            End(name: "f", nodeID: "n-f", phase: .failed, continueOn: ContinueOn(failed: true)),
            End(name: "e", nodeID: "n-e", phase: .error, continueOn: ContinueOn(error: true)),
        ])
        #expect(tolerated == .init(.succeeded))
        #expect(scheduler.nextGroup() == 1)
        let notTolerated = scheduler.groupFinished([
            End(name: "e", nodeID: "n-e2", phase: .error, continueOn: ContinueOn(failed: true))
        ])
        #expect(notTolerated == .init(.error, message: "child 'n-e2' failed"))
    }

    @Test("a failed loop names its first failed iteration, as Argo's message does")
    func loopNamesIteration() {
        var scheduler = StepsScheduler(groupCount: 1, failsFast: false)
        _ = scheduler.nextGroup()
        let verdict = scheduler.groupFinished([
            End(name: "loop", nodeID: "n-loop", phase: .failed, failedIterationID: "n-loop-2")
        ])
        #expect(verdict == .init(.failed, message: "child 'n-loop-2' failed"))
    }

    @Test("failFast turns a failure into Failed with Argo's failFast message, for the group and the template")
    func failFast() {
        var scheduler = StepsScheduler(groupCount: 2, failsFast: true)
        _ = scheduler.nextGroup()
        let verdict = scheduler.groupFinished([End(name: "bad", nodeID: "n-bad", phase: .error)])
        #expect(verdict == .init(.failed, message: StepsScheduler.failFastMessage))
        #expect(scheduler.verdict(stopMessage: "stopped") == .init(.failed, message: StepsScheduler.failFastMessage))
    }

    @Test("a stopped run fails the template with the stop's reason when no step failed")
    func stopped() {
        var scheduler = StepsScheduler(groupCount: 2, failsFast: false)
        _ = scheduler.nextGroup()
        _ = scheduler.groupFinished([End(name: "a", nodeID: "n-a", phase: .succeeded)])
        #expect(
            scheduler.verdict(stopMessage: "run deadline exceeded") == .init(.failed, message: "run deadline exceeded"))
    }

    @Test("ContinueOn.allows: other phases always go on; Failed and Error only when named")
    func allows() {
        for phase in [NodePhase.succeeded, .skipped, .omitted] { #expect(ContinueOn.allows(nil, after: phase)) }
        #expect(!ContinueOn.allows(nil, after: .failed))
        #expect(!ContinueOn.allows(ContinueOn(error: true), after: .failed))
        #expect(ContinueOn.allows(ContinueOn(failed: true), after: .failed))
        #expect(!ContinueOn.allows(ContinueOn(failed: true), after: .error))
    }
}
