/// A JSON encoder for the workflows' results that writes keys in the order
/// a type encodes them (Foundation's `JSONEncoder` orders them by hash, so
/// two runs could differ), numbers in their shortest form (`98`, not
/// `98.0`), `/` unescaped, non-ASCII as UTF-8. One line, no spaces.
struct JSONLineEncoder {
  func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
    let root = Node()
    try value.encode(to: NodeEncoder(node: root, codingPath: []))
    var out: [UInt8] = []
    root.write(to: &out)
    return out
  }
}

/// A value being built: filled in by exactly one container.
private final class Node {
  enum Value {
    case empty, null, literal(String), string(String)
    case array([Node])
    case object([(String, Node)])
  }
  var value: Value = .empty

  func write(to out: inout [UInt8]) {
    switch value {
    case .empty, .null: out += "null".utf8
    case .literal(let s): out += s.utf8
    case .string(let s):
      var c = s
      c.withUTF8 { JSON.appendString(&out, $0) }
    case .array(let items):
      out.append(0x5B)
      for (i, n) in items.enumerated() {
        if i > 0 { out.append(0x2C) }
        n.write(to: &out)
      }
      out.append(0x5D)
    case .object(let fields):
      out.append(0x7B)
      for (i, (k, n)) in fields.enumerated() {
        if i > 0 { out.append(0x2C) }
        var key = k
        key.withUTF8 { JSON.appendString(&out, $0) }
        out.append(0x3A)
        n.write(to: &out)
      }
      out.append(0x7D)
    }
  }

  func set(number d: Double) {
    if d.isNaN || d.isInfinite { value = .null; return }
    if d == d.rounded() && abs(d) < 1e15 { value = .literal(String(Int64(d))); return }
    value = .literal("\(d)")
  }

  func append(_ n: Node) {
    if case .array(var items) = value {
      items.append(n)
      value = .array(items)
    } else {
      value = .array([n])
    }
  }

  func set(_ key: String, _ n: Node) {
    var fields: [(String, Node)] = []
    if case .object(let f) = value { fields = f }
    if let i = fields.firstIndex(where: { $0.0 == key }) { fields[i].1 = n } else { fields.append((key, n)) }
    value = .object(fields)
  }
}

private struct AnyKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(stringValue: String) { self.stringValue = stringValue }
  init(intValue: Int) {
    self.stringValue = "\(intValue)"
    self.intValue = intValue
  }
}

private struct NodeEncoder: Encoder {
  let node: Node
  var codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object = node.value {} else { node.value = .object([]) }
    return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if case .array = node.value {} else { node.value = .array([]) }
    return Unkeyed(node: node, codingPath: codingPath)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
}

private func encodeValue<T: Encodable>(_ value: T, into n: Node, path: [any CodingKey]) throws {
  switch value {
  case let s as String: n.value = .string(s)
  case let d as Double: n.set(number: d)
  case let f as Float: n.set(number: Double(f))
  case let b as Bool: n.value = .literal(b ? "true" : "false")
  case let i as Int: n.value = .literal(String(i))
  default: try value.encode(to: NodeEncoder(node: n, codingPath: path))
  }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let node: Node
  var codingPath: [any CodingKey]

  func child(_ key: Key) -> Node {
    let n = Node()
    node.set(key.stringValue, n)
    return n
  }

  mutating func encodeNil(forKey key: Key) throws { child(key).value = .null }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try encodeValue(value, into: child(key), path: codingPath + [key])
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
    -> KeyedEncodingContainer<NestedKey>
  {
    NodeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
  }
  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    NodeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
  }
  mutating func superEncoder() -> any Encoder {
    NodeEncoder(node: node, codingPath: codingPath)
  }
  mutating func superEncoder(forKey key: Key) -> any Encoder {
    NodeEncoder(node: child(key), codingPath: codingPath + [key])
  }
}

private struct Unkeyed: UnkeyedEncodingContainer {
  let node: Node
  var codingPath: [any CodingKey]
  var count: Int {
    if case .array(let a) = node.value { return a.count }
    return 0
  }

  func next() -> Node {
    let n = Node()
    node.append(n)
    return n
  }

  mutating func encodeNil() throws { next().value = .null }
  mutating func encode<T: Encodable>(_ value: T) throws {
    try encodeValue(value, into: next(), path: codingPath + [AnyKey(intValue: count)])
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    NodeEncoder(node: next(), codingPath: codingPath).container(keyedBy: keyType)
  }
  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    NodeEncoder(node: next(), codingPath: codingPath).unkeyedContainer()
  }
  mutating func superEncoder() -> any Encoder { NodeEncoder(node: next(), codingPath: codingPath) }
}

private struct Single: SingleValueEncodingContainer {
  let node: Node
  var codingPath: [any CodingKey]

  mutating func encodeNil() throws { node.value = .null }
  mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: node, path: codingPath) }
}
