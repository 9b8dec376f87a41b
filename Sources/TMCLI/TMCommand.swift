import ArgumentParser
import TMKit

/// `tm`: the root command. Each subcommand lives in its own file.
public struct TMCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "tm",
    abstract: "Translation memories for Azerbaijani, Russian and English, built on ICU.",
    discussion: """
      Exit status: 0 on success (lookup: a match was found), 1 when lookup found \
      nothing, 2 on any error.
      """,
    version: "0.1.0 (ICU \(TMKitInfo.icuVersion))",
    subcommands: [
      SegmentCommand.self, TransliterateCommand.self, AddCommand.self, ImportCommand.self,
      ExportCommand.self, StatsCommand.self, AlignCommand.self, LookupCommand.self, CompactCommand.self,
      PretranslateCommand.self, ExtractCommand.self, MergeCommand.self, ServeCommand.self,
    ]
  )
  public init() {}
}
