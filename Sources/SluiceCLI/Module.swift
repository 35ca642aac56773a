/// Placeholder entry point; replaced by the real command tree.
package enum SluiceMain {
    package static func main() {}
}
