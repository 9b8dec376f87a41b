import ArgumentParser
import TMKit

/// `tm add`: one translation unit into a memory.
public struct AddCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Add one translation unit to a memory.",
    discussion: """
      Without --memory the unit goes to the language pair's memory in the memories \
      folder (Memories/az-en.tsv for az and en). Texts are stored in NFC; a unit that \
      is already in the memory is not added twice.
      """
  )

  @Argument(help: "The source text.") public var source: String
  @Argument(help: "Its translation.") public var target: String
  @Option(help: "The source language (az, az-Cyrl, ru, en).") public var from: Language
  @Option(help: "The target language.") public var to: Language
  @OptionGroup public var memoryOptions: MemoryOptions
  @OptionGroup public var serverOptions: ServerOptions

  public init() {}

  public func run() async throws {
    let r: (added: Bool, memory: String)
    if let client = try serverOptions.client() {
      r = try await remote(client)
    } else {
      let a = try await Add(store: memoryOptions.writeStore()).run(
        source: source, target: target, from: from, to: to, memory: memoryOptions.named)
      r = (a.added, a.memory.name)
    }
    if r.added {
      Output.standard.line("added 1 unit (\(from.tag)→\(to.tag)) to \(r.memory)")
    } else {
      Output.standard.line("already in \(r.memory): nothing added")
    }
  }

  /// `POST /api/v1/units` with the one unit; `--memory` names the server's memory.
  func remote(_ client: RemoteClient) async throws -> (added: Bool, memory: String) {
    struct Reply: Decodable {
      var added: Int
      var duplicates: Int
      var memory: String?
    }
    if from == to {
      throw TMError(.usage, "--from and --to are both '\(from.tag)'", hint: "a unit pairs two different languages")
    }
    let unit: [String: JSONValue] = [
      "source": .string(source), "target": .string(target), "from": .string(from.tag), "to": .string(to.tag),
      "origin": .string("add"),
    ]
    var body: [String: JSONValue] = ["units": .array([.object(unit)])]
    if let m = memoryOptions.memory { body["memory"] = .string(m) }
    let reply = try await client.json(Reply.self, "POST", "/api/v1/units", body: body)
    let name = reply.memory ?? memoryOptions.memory ?? client.base.absoluteString
    return (reply.added == 1, name)
  }
}
