import SluiceEngine

/// A runtime profile mapping Argo's test image to its entrypoint.
enum RuntimeProfileFixture {
    static let argosay = RuntimeProfile(images: ["argoproj/argosay:v2": .init(entrypoint: ["argosay"], cmd: nil)])
}
