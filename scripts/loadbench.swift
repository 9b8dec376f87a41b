// Times MemoryFile.load (every unit decoded) against MemoryFile.open (a MemoryTable,
// decoded on access) for scripts/bench-memory.sh.
import TMKit
let path = CommandLine.arguments[1]
if CommandLine.arguments.count > 2 {
  let t = try MemoryFile.open(path: path)
  var n = 0
  for i in t.indices { n += t.text(i, .ru)?.utf8.count ?? 0 }
  print("table: \(t.count) units, \(n) ru bytes decoded")
} else {
  let m = try MemoryFile.load(path: path)
  print("load: \(m.units.count) units")
}
