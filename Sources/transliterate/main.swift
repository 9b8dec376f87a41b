import TMCLI

runMain(TransliterateCommand.self)
