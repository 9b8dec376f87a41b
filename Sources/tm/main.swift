import TMCLI

runMain(TMCommand.self)
