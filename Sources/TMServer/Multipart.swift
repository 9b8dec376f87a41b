/// `multipart/form-data` (RFC 7578) as `tm import --server` sends several
/// files in one request (`curl -F file=@a.tmx -F file=@b.po` too): each
/// part's file name and bytes, in order.
enum Multipart {
  struct Part {
    var name: String
    var bytes: [UInt8]
  }

  /// The boundary of a `multipart/form-data` Content-Type, nil for any
  /// other type.
  static func boundary(contentType: String?) -> String? {
    guard let contentType else { return nil }
    let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
    guard fields.first?.lowercased() == "multipart/form-data" else { return nil }
    for f in fields.dropFirst() where f.lowercased().hasPrefix("boundary=") {
      var b = String(f.dropFirst("boundary=".count))
      if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
      return b.isEmpty ? nil : b
    }
    return nil
  }

  static func parse(_ body: [UInt8], boundary: String) throws -> [Part] {
    let delimiter = Array(("--" + boundary).utf8)
    let bad = { (why: String) in
      APIError.badRequest("the multipart body is malformed: \(why)", field: "body",
        hint: "send multipart/form-data with one part per file (curl -F file=@NAME)")
    }
    guard var at = find(delimiter, in: body, from: 0) else { throw bad("no boundary '\(boundary)'") }
    var parts: [Part] = []
    while true {
      at += delimiter.count
      // "--" after a delimiter closes the body.
      if at + 1 < body.count, body[at] == 0x2D, body[at + 1] == 0x2D { break }
      guard at + 1 < body.count, body[at] == 0x0D, body[at + 1] == 0x0A else { throw bad("a boundary line does not end") }
      at += 2
      guard let headEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: at) else { throw bad("a part has no header end") }
      let head = String(decoding: body[at..<headEnd], as: UTF8.self)
      let start = headEnd + 4
      guard let next = find([0x0D, 0x0A] + delimiter, in: body, from: start) else { throw bad("a part does not end") }
      parts.append(Part(name: fileName(head) ?? "upload", bytes: Array(body[start..<next])))
      at = next + 2
    }
    return parts
  }

  /// `filename="…"` (else `name="…"`) of a part's Content-Disposition.
  static func fileName(_ head: String) -> String? {
    for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
      var found: [String: String] = [:]
      for f in line.split(separator: ";").dropFirst() {
        let kv = f.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard kv.count == 2 else { continue }
        var v = kv[1]
        if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
        found[kv[0].lowercased()] = v
      }
      return found["filename"] ?? found["name"]
    }
    return nil
  }

  static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
    guard let first = needle.first, hay.count >= needle.count else { return nil }
    var i = from
    let last = hay.count - needle.count
    while i <= last {
      if hay[i] == first {
        var j = 1
        while j < needle.count && hay[i + j] == needle[j] { j += 1 }
        if j == needle.count { return i }
      }
      i += 1
    }
    return nil
  }
}
