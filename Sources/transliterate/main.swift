import TMCLI

await runMain(TransliterateCommand.self)
