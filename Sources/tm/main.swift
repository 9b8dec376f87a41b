import TMCLI

await runMain(TMCommand.self)
