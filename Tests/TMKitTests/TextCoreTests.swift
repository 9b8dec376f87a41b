import Testing
@testable import TMKit

@Suite struct CaseAndNormalisationTests {
  @Test func azerbaijaniFoldsDottedAndDotlessI() {
    #expect("İSTANBUL IĞDIR".caseFolded(for: .az) == "istanbul ığdır")
    #expect("İSTANBUL IĞDIR".caseFolded(for: .en) == "i\u{307}stanbul iğdir")
  }

  @Test func decomposedCapitalIWithDotFoldsToIInAzerbaijani() {
    #expect("I\u{307}lham".caseFolded(for: .az) == "ilham")
  }

  @Test func languageCaseMapping() {
    #expect("ilham əliyev".uppercased(for: .az) == "İLHAM ƏLİYEV")
    #expect("ilham".uppercased(for: .en) == "ILHAM")
    #expect("IŞIQ".lowercased(for: .az) == "ışıq")
  }

  @Test func nfcComposes() {
    #expect("e\u{301}".nfc.unicodeScalars.count == 1)
    #expect("ﬁ ①".normalized(.nfkc) == "fi 1")
  }

  @Test func matchKeyFoldsYoAndApostrophes() {
    #expect("Ёлкина".matchKey(for: .ru) == "елкина")
    #expect("Azərbaycan’ın".matchKey(for: .az) == "azərbaycan'ın")
  }
}

@Suite struct TokenizerTests {
  @Test func wordsNumbersAndPunctuation() throws {
    let t = try Tokenizer(language: .ru)
    let toks = t.tokens("В 1918 г. было 3,5 тыс.")
    #expect(toks.map(\.text) == ["В", "1918", "г", ".", "было", "3,5", "тыс", "."])
    #expect(toks.map(\.kind) == [.word, .number, .word, .punctuation, .word, .number, .word, .punctuation])
  }
}

@Suite struct DecoderTests {
  @Test func invalidUTF8NamesFileLineAndOffset() {
    let bytes: [UInt8] = Array("Salam\nd".utf8) + [0xFF] + Array("ünya".utf8)
    #expect(throws: TMError.self) { try TextDecoder.decode(bytes, source: "x.txt") }
    do {
      _ = try TextDecoder.decode(bytes, source: "x.txt")
    } catch let e as TMError {
      #expect(e.file == "x.txt")
      #expect(e.line == 2)
      #expect(e.byteOffset == 7)
    } catch {}
  }

  @Test func bomsAndLegacyEncodings() throws {
    #expect(try TextDecoder.decode([0xEF, 0xBB, 0xBF] + Array("Əli".utf8), source: "-") == "Əli")
    let utf16le: [UInt8] = [0xFF, 0xFE, 0x1F, 0x04, 0x40, 0x04, 0x38, 0x04]  // "При"
    #expect(try TextDecoder.decode(utf16le, source: "-") == "При")
    let cp1251: [UInt8] = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2]  // "Привет"
    #expect(try TextDecoder.decode(cp1251, encoding: "cp1251", source: "-") == "Привет")
    let koi8: [UInt8] = [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]
    #expect(try TextDecoder.decode(koi8, encoding: "koi8-r", source: "-") == "Привет")
  }
}

@Suite struct ICUTransformTests {
  @Test func appliesASystemTransform() throws {
    let t = try ICUTransform(id: "Any-Upper")
    #expect(t.apply("Bakı şəhəri") == "BAKI ŞƏHƏRI")
  }

  @Test func badIDIsAnError() {
    #expect(throws: TMError.self) { try ICUTransform(id: "Klingon-Latin") }
  }

  @Test func badRulesReportWhere() {
    #expect(throws: TMError.self) { try ICUTransform(rules: "a > b;\nc > ;;; [", name: "bad.txt") }
  }

  @Test func listsIDs() {
    let ids = ICUTransform.availableIDs()
    #expect(ids.contains("Russian-Latin/BGN"))
    #expect(ids.count > 300)
  }
}

@Suite struct ParagraphTests {
  @Test func blankLinesAndCRLF() {
    let p = Paragraphs.split("Bir.\r\nİki.\r\n\r\n\r\nÜç.\n", lines: false)
    #expect(p.map { String($0.1) } == ["Bir.\r\nİki.", "Üç."])
    let l = Paragraphs.split("Bir.\r\nİki.\r\n\r\nÜç.", lines: true)
    #expect(l.map { String($0.1) } == ["Bir.", "İki.", "Üç."])
  }

  @Test func sentencesKeepOffsets() throws {
    let text = "Salam. Necəsən?\n\nYaxşıyam."
    let s = try SentenceSegmenter(language: .az).segment(text)
    #expect(s.map(\.text) == ["Salam.", "Necəsən?", "Yaxşıyam."])
    #expect(s.map(\.paragraph) == [0, 0, 1])
    let u8 = Array(text.utf8)
    for x in s { #expect(String(decoding: u8[x.utf8Range], as: UTF8.self) == x.text) }
  }
}

/// Our `ru-latn-bgn` scheme (not ICU's) on real Russian text whose BGN/PCGN
/// romanisation is known: the UDHR's Article 1 and place names as the BGN
/// gazetteer (GNS) spells them (names without `тс`, which the scheme writes
/// `t·s` as the 1947 system allows and the gazetteer leaves out).
@Suite struct RussianBGNSchemeTests {
  @Test func udhrArticleOne() throws {
    let t = try Transliterator(scheme: .ruLatnBGN)
    #expect(
      t.apply("Все люди рождаются свободными и равными в своем достоинстве и правах.")
        == "Vse lyudi rozhdayut·sya svobodnymi i ravnymi v svoyem dostoinstve i pravakh.")
    #expect(
      t.apply("Они наделены разумом и совестью и должны поступать в отношении друг друга в духе братства.")
        == "Oni nadeleny razumom i sovestʹyu i dolzhny postupatʹ v otnoshenii drug druga v dukhe brat·stva.")
  }

  @Test func gazetteerPlaceNames() throws {
    let t = try Transliterator(scheme: .ruLatnBGN)
    let names = [
      "Екатеринбург": "Yekaterinburg", "Набережные Челны": "Naberezhnyye Chelny", "Йошкар-Ола": "Yoshkar-Ola",
      "Ульяновск": "Ulʹyanovsk", "Тольятти": "Tolʹyatti", "Ханты-Мансийск": "Khanty-Mansiysk",
      "Южно-Сахалинск": "Yuzhno-Sakhalinsk", "Нижний Новгород": "Nizhniy Novgorod",
      "Сыктывкар": "Syktyvkar", "Нарьян-Мар": "Narʹyan-Mar", "Щёлково": "Shchëlkovo", "Подъячево": "Podʺyachevo",
    ]
    for (ru, bgn) in names { #expect(t.apply(ru) == bgn, "\(ru)") }
  }
}

/// The binary-input check of ``TextDecoder`` (issue 8, §4).
@Suite struct BinaryContentTests {
  @Test func namesWhatAFileLooksLike() {
    let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00] + Array("mimetypeapplication/vnd.oasis.opendocument.text".utf8)
    #expect(TextDecoder.binaryContent(zip)?.kind == .odt)
    #expect(TextDecoder.binaryContent([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00] + Array("word/document.xml".utf8))?.kind == .docx)
    #expect(TextDecoder.binaryContent([0x50, 0x4B, 0x03, 0x04, 0x0A, 0x00, 0x00])?.kind == .zip)
    #expect(TextDecoder.binaryContent(Array("%PDF-1.4\n".utf8) + [0x00])?.kind == .pdf)
    #expect(TextDecoder.binaryContent([0x1F, 0x8B, 0x08, 0x00])?.kind == .gzip)
    #expect(TextDecoder.binaryContent([0xDE, 0x12, 0x04, 0x95, 0x00, 0x00, 0x00, 0x00])?.kind == .mo)
    let utf16 = Array("Salam, dünya!".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    #expect(TextDecoder.binaryContent(utf16)?.kind == .utf16)
    let esc = TextDecoder.binaryContent(Array("Rəng: \u{1B}[31mqırmızı".utf8))
    #expect(esc?.kind == .binary)
    #expect(esc?.offset == 7)
  }

  @Test func textIsNotBinary() throws {
    #expect(TextDecoder.binaryContent(Array("Sətir\tsütun\r\nYeni səhifə\u{0C}\n".utf8)) == nil)
    let bom16: [UInt8] = [0xFF, 0xFE] + Array("Привет".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    #expect(TextDecoder.binaryContent(bom16) == nil)
    #expect(try TextDecoder.decode(bom16, source: "-") == "Привет")
    let named16 = Array("Привет".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    #expect(try TextDecoder.decode(named16, encoding: "utf-16be", source: "-") == "Привет")
    // A control character inside UTF-16 is caught in the decoded text.
    let ctl16: [UInt8] = [0xFF, 0xFE] + Array("a\u{01}b".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    #expect(TextDecoder.binaryContent(ctl16)?.offset == 4)
    let cp1251: [UInt8] = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2]
    #expect(try TextDecoder.decode(cp1251, encoding: "cp1251", source: "-") == "Привет")
    // Only the first 8 KB are looked at.
    let late = Array(repeating: UInt8(0x61), count: TextDecoder.binaryProbeLength) + [0x00]
    #expect(TextDecoder.binaryContent(late) == nil)
  }

  @Test func decodeRefusesBinaryUnlessAskedNotTo() throws {
    let bytes: [UInt8] = Array("%PDF-1.7\n".utf8) + [0x00, 0x41]
    #expect {
      try TextDecoder.decode(bytes, source: "scan.pdf")
    } throws: { e in
      guard let e = e as? TMError else { return false }
      return e.kind == .invalidInput && e.file == "scan.pdf" && e.message.contains("PDF")
        && (e.hint ?? "").contains("pdftotext -layout scan.pdf")
    }
    // A reader that takes the format apart itself bypasses the check.
    #expect(try TextDecoder.decode(bytes, source: "scan.pdf", checkBinary: false) == "%PDF-1.7\n\u{0}A")
  }
}
