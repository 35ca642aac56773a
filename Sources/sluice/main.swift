import SluiceCLI
SluiceMain.main()
