import SluiceCLI

await SluiceMain.main()
