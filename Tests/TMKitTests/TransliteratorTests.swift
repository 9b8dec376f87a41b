import Foundation
import TMKit
import Testing

@Suite struct TransliteratorTests {
  func t(_ scheme: TransliterationScheme, _ text: String) throws -> String {
    try Transliterator(scheme: scheme).apply(text)
  }

  // MARK: az Cyrillic → Latin

  @Test func azCyrlLatnNamesAndPlaces() throws {
    #expect(try t(.azCyrlLatn, "Ҝәнҹә") == "Gəncə")
    #expect(try t(.azCyrlLatn, "Илһам Әлијев") == "İlham Əliyev")
    #expect(try t(.azCyrlLatn, "ЫЛДЫЗ") == "ILDIZ")
    #expect(try t(.azCyrlLatn, "Азәрбајҹан") == "Azərbaycan")
    #expect(try t(.azCyrlLatn, "Ғарабағ, Өмәр, Үзејир, Ҹәлил, Чинҝиз, Шамахы, Хачмаз")
      == "Ğarabağ, Ömər, Üzeyir, Cəlil, Çingiz, Şamaxı, Xaçmaz")
    #expect(try t(.azCyrlLatn, "ИНСАН ҺҮГУГЛАРЫ ҺАГГЫНДА") == "İNSAN HÜQUQLARI HAQQINDA")
  }

  @Test func azCyrlLatnKeepsNumbersPunctuationAndLayout() throws {
    let text = "«Азәрбајҹан» гәзети, 1918-ҹи ил.\n\tМәбләғ: 1 000,5 манат; 70.000 нәфәр.\r\n"
    #expect(try t(.azCyrlLatn, text) == "«Azərbaycan» qəzeti, 1918-ci il.\n\tMəbləğ: 1 000,5 manat; 70.000 nəfər.\r\n")
  }

  @Test func azCyrlLatnRussianLoanLettersFollowTheWordsCase() throws {
    #expect(try t(.azCyrlLatn, "Юри Јуриј революсија Цех ЦЕХ Ющенко ЮЩЕНКО") == "Yuri Yuriy revolyusiya Tsex TSEX Yuşçenko YUŞÇENKO")
    #expect(try t(.azCyrlLatn, "объект ОБЪЕКТ Эмин Ёлка Ю. Илья") == "obyekt OBYEKT Emin Yolka Yu. İlya")
  }

  // MARK: az Latin → Cyrillic

  @Test func azLatnCyrlNamesAndPlaces() throws {
    #expect(try t(.azLatnCyrl, "İsmayıllı") == "Исмајыллы")
    #expect(try t(.azLatnCyrl, "Işıq") == "Ышыг")
    #expect(try t(.azLatnCyrl, "Gəncə") == "Ҝәнҹә")
    #expect(try t(.azLatnCyrl, "İSMAYILLI IŞIQ") == "ИСМАЈЫЛЛЫ ЫШЫГ")
    #expect(try t(.azLatnCyrl, "Azərbaycan'ın 1918-ci il") == "Азәрбајҹан’ын 1918-ҹи ил")
  }

  @Test func azLatnCyrlComposesDecomposedDottedI() throws {
    // I + U+0307 (a decomposed İ) must give И, not Ы plus a dot.
    #expect(try t(.azLatnCyrl, "I\u{0307}stiqlal") == "Истиглал")
  }

  @Test func azRoundTripOfRandomAzLatinText() throws {
    // Property: az-latn-cyrl then az-cyrl-latn is the identity on text made
    // of the 32 Azerbaijani Latin letters (both cases), spaces and punctuation.
    let letters = Array("abcçdeəfgğhxıijkqlmnoöprsştuüvyzABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ")
    let other = Array(" ,.;:-«»0123456789\t")
    var rng = SeededRandom(seed: 0xA2E1_1991)
    let toCyrl = try Transliterator(scheme: .azLatnCyrl)
    let toLatn = try Transliterator(scheme: .azCyrlLatn)
    for _ in 0..<400 {
      var s = ""
      for _ in 0..<Int(rng.next() % 60) {
        s.append(rng.next() % 5 == 0 ? other[Int(rng.next() % UInt64(other.count))] : letters[Int(rng.next() % UInt64(letters.count))])
      }
      let cyrl = toCyrl.apply(s)
      #expect(!cyrl.unicodeScalars.contains { $0.properties.isAlphabetic && $0.value < 0x0400 }, "Latin left in \(cyrl)")
      #expect(toLatn.apply(cyrl) == s, "round trip of \(s)")
    }
  }

  @Test func azCyrillicRoundTripOfRandomText() throws {
    // Property: the other way round, on the 32 Cyrillic letters.
    let letters = Array("абвгғдеәжзиыјкҝлмноөпрстуүфхһчҹшАБВГҒДЕӘЖЗИЫЈКҜЛМНОӨПРСТУҮФХҺЧҸШ")
    var rng = SeededRandom(seed: 1958)
    let toCyrl = try Transliterator(scheme: .azLatnCyrl)
    let toLatn = try Transliterator(scheme: .azCyrlLatn)
    for _ in 0..<300 {
      var s = ""
      for _ in 0..<Int(rng.next() % 40) {
        s.append(rng.next() % 6 == 0 ? " " : letters[Int(rng.next() % UInt64(letters.count))])
      }
      #expect(toCyrl.apply(toLatn.apply(s)) == s, "round trip of \(s)")
    }
  }

  // MARK: homoglyphs

  @Test func repairsLatinLookAlikesInAzCyrillicWords() throws {
    let tr = try Transliterator(scheme: .azCyrlLatn)
    var repairs: [HomoglyphRepair] = []
    let out = tr.apply("Азәрбајҹан Республикасы Əлијева\nhүгуг вә jахшы, Microsoft", repairs: &repairs)
    #expect(out == "Azərbaycan Respublikası Əliyeva\nhüquq və yaxşı, Microsoft")
    #expect(repairs.map(\.word) == ["Əлијева", "hүгуг", "jахшы"])
    #expect(repairs.map(\.line) == [1, 2, 2])
    #expect(repairs[0].repaired == "Әлијева")
    #expect(repairs[0].replacements == [.init(from: "Ə", to: "Ә")])
    #expect(repairs[0].description.contains("U+018F"))
  }

  @Test func repairMattersForLettersThatDifferAcrossScripts() throws {
    // Latin c, p, y inside Cyrillic words stand for с, р, у: without the
    // repair they would come out as c, p, y instead of s, r, u.
    #expect(try t(.azCyrlLatn, "cәpҝи") == "sərgi")
    #expect(try t(.ruLatnBGN, "Mосквa") == "Moskva")
    let tr = try Transliterator(scheme: .azCyrlLatn)
    tr.homoglyphs = nil
    #expect(tr.apply("cәpҝи") == "cəpgi")
  }

  @Test func repairsCyrillicLookAlikesInAzLatinWords() throws {
    var repairs: [HomoglyphRepair] = []
    // Cyrillic с and у in Latin words (copy-paste): c → ҹ, y → ј after repair.
    let out = try Transliterator(scheme: .azLatnCyrl).apply("Azərbaусаn", repairs: &repairs)
    #expect(out == "Азәрбајҹан")
    #expect(repairs.count == 1)
  }

  @Test func wordsInOneScriptAreLeftAlone() throws {
    var repairs: [HomoglyphRepair] = []
    let out = try Transliterator(scheme: .azCyrlLatn).apply("Windows вә Linux системләри", repairs: &repairs)
    #expect(out == "Windows və Linux sistemləri")
    #expect(repairs.isEmpty)
  }

  @Test func latinHMeansҺInAzerbaijaniAndНInRussian() {
    var repairs: [HomoglyphRepair] = []
    let az = Homoglyphs(orthography: .azerbaijani, preferred: .cyrillic)
    #expect(az.repair("Hәсән", repairs: &repairs) == "Һәсән")
    let ru = Homoglyphs(orthography: .russian, preferred: .cyrillic)
    #expect(ru.repair("Hовый", repairs: &repairs) == "Новый")
    #expect(repairs.count == 2)
  }

  @Test func repairNeverTouchesSingleScriptWords() {
    // Property: words in one script (any letters of it) are left exactly as
    // they are, and a repaired text is a fixed point of the repair.
    let cyr = Array("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғҝјһөүҹАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҜЈҺӨҮҸ")
    let lat = Array("abcçdeəfgğhxıijkqlmnoöprsştuüvyzwABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZW")
    var rng = SeededRandom(seed: 29_1991)
    let h = Homoglyphs(orthography: .azerbaijani, preferred: .cyrillic)
    for _ in 0..<300 {
      var words: [String] = []
      for _ in 0..<Int(1 + rng.next() % 8) {
        let alphabet = rng.next() % 2 == 0 ? cyr : lat
        words.append(String((0..<Int(1 + rng.next() % 10)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
      }
      let text = words.joined(separator: rng.next() % 2 == 0 ? " " : ", ")
      var repairs: [HomoglyphRepair] = []
      #expect(h.repair(text, repairs: &repairs) == text)
      #expect(repairs.isEmpty)
      // Glue two words into one mixed word: the repair makes it one script,
      // and repairing again changes nothing.
      let mixed = words.joined()
      let once = h.repair(mixed, repairs: &repairs)
      #expect(h.repair(once, repairs: &repairs) == once)
    }
  }

  // MARK: Russian

  @Test func russianSchemesOnNames() throws {
    let names = "Щербаков ЩЕРБАКОВ Хрущёв Юлия Подъезд Ильич"
    #expect(try t(.ruLatnBGN, names) == "Shcherbakov SHCHERBAKOV Khrushchëv Yuliya Podʺyezd Ilʹich")
    #expect(try t(.ruLatnICAO, names) == "Shcherbakov SHCHERBAKOV Khrushchev Iuliia Podieezd Ilich")
    #expect(try t(.ruLatnGOST, names) == "Shherbakov SHHERBAKOV Xrushhyov Yuliya Pod``ezd Il`ich")
    #expect(try t(.ruLatnISO9, names) == "Ŝerbakov ŜERBAKOV Hruŝëv Ûliâ Podʺezd Ilʹič")
  }

  @Test func caseFollowsTheWord() throws {
    #expect(try t(.ruLatnBGN, "ЖУКОВ Жуков ЧАЙКОВСКИЙ ШОЛОХОВ ЦОЙ ЮЛИЯ ЯКОВЛЕВ") == "ZHUKOV Zhukov CHAYKOVSKIY SHOLOKHOV TSOY YULIYA YAKOVLEV")
    #expect(try t(.ruLatnICAO, "ЮЛИЯ ЯКОВЛЕВА ОБЪЕДИНЕНИЕ") == "IULIIA IAKOVLEVA OBIEEDINENIE")
    // A capital standing alone (an initial) is title case.
    #expect(try t(.ruLatnBGN, "Ю. А. Гагарин, Щ. Ж.") == "Yu. A. Gagarin, Shch. Zh.")
    // A last capital after ь in an all-caps word.
    #expect(try t(.ruLatnBGN, "МЫШЬЮ") == "MYSHʹYU")
  }

  @Test func bgnContextRules() throws {
    #expect(try t(.ruLatnBGN, "ель поезд Ёлкин объём Тсуга") == "yelʹ poyezd Yëlkin obʺyëm T·suga")
  }

  @Test func gostCzBeforeFrontVowels() throws {
    #expect(try t(.ruLatnGOST, "цирк цыган цена Цюрих отец") == "cirk cy`gan cena Czyurix otecz")
    #expect(try t(.ruLatnGOST, "Юлия, съешь ещё этих") == "Yuliya, s``esh` eshhyo e`tix")
  }

  @Test func bgnAgreesWithICUsRussianLatinBGNOnRunningText() throws {
    // Same letters as ICU's Russian-Latin/BGN; only lone capitals may differ.
    let text = """
      Все люди рождаются свободными и равными в своем достоинстве и правах. Они наделены разумом и совестью \
      и должны поступать в отношении друг друга в духе братства. Съешь же ещё этих мягких французских булок, \
      да выпей чаю: Щёлково, Хабаровск, подъезд, Тюмень, Ильич, Цой, Йошкар-Ола, Объединённые Нации, 1 000,5 руб.
      """
    let ours = try t(.ruLatnBGN, text)
    let icu = try Transliterator(icuID: "Russian-Latin/BGN").apply(text)
    #expect(ours == icu)
  }

  @Test func russianLettersOutsideTheSchemeAreUntouched() throws {
    // Latin text and digits pass through every Russian scheme.
    for s in [TransliterationScheme.ruLatnBGN, .ruLatnICAO, .ruLatnGOST, .ruLatnISO9] {
      #expect(try t(s, "Windows 11, «OK» — 70.000\t1918") == "Windows 11, «OK» — 70.000\t1918")
    }
  }

  // MARK: ICU IDs, rules, errors

  @Test func icuIDsAndCompounds() throws {
    #expect(try Transliterator(icuID: "Any-Latin; Latin-ASCII").apply("Щербаков") == "Serbakov")
    #expect(Transliterator.icuIDs().contains("Russian-Latin/BGN"))
  }

  @Test func asciiLinesStillReachTransformsThatChangeASCII() throws {
    // The ASCII fast path must not skip transforms that do change ASCII.
    #expect(try Transliterator(icuID: "Any-Upper").apply("abc\nЩи\n") == "ABC\nЩИ\n")
    #expect(try Transliterator(icuID: "Any-Hex").apply("a\n") == "\\u0061\n")
    #expect(try Transliterator(icuID: "Latin-Cyrillic").apply("abc\n") == "абц\n")
    #expect(try Transliterator(scheme: .azLatnCyrl).apply("Quba\n") == "Губа\n")
    #expect(try Transliterator(icuID: "Russian-Latin/BGN").apply("abc\n") == "abc\n")
  }

  @Test func badICUIDIsAnICUError() {
    #expect(throws: TMError.self) { try Transliterator(icuID: "Klingon-Latin") }
    do {
      _ = try Transliterator(icuID: "Klingon-Latin")
    } catch let e as TMError {
      #expect(e.kind == .icu)
      #expect(e.message.contains("Klingon-Latin"))
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  @Test func badRulesFileNamesLineAndColumn() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-translit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let good = dir.appendingPathComponent("good.txt")
    try "# comment\n::NFC;\nш > sh;\nШ > Sh;\n".write(to: good, atomically: true, encoding: .utf8)
    #expect(try Transliterator(rulesFile: good.path).apply("Шамаха шаш") == "Shамаха shаsh")
    let bad = dir.appendingPathComponent("bad.txt")
    try "# comment\nа > a;\nб > [b;\n".write(to: bad, atomically: true, encoding: .utf8)
    do {
      _ = try Transliterator(rulesFile: bad.path)
      Issue.record("bad rules were accepted")
    } catch let e as TMError {
      #expect(e.kind == .icu)
      #expect(e.file == bad.path)
      #expect(e.line == 3)
      #expect(e.message.contains("column"))
      #expect(e.message.contains("U_MALFORMED_SET") || e.message.contains("U_"))
    }
  }

  @Test func schemeNamesAndStandards() {
    #expect(TransliterationScheme(name: "RU_LATN_BGN") == .ruLatnBGN)
    #expect(TransliterationScheme(name: "nope") == nil)
    for s in TransliterationScheme.allCases { #expect(!s.standard.isEmpty) }
  }

  @Test func longLinesAreCutAndStillCorrect() throws {
    let word = "Азәрбајҹан Республикасы "
    let line = String(repeating: word, count: 3000)  // ~130 KB, one line
    let out = try t(.azCyrlLatn, line + "\n")
    #expect(out == String(repeating: "Azərbaycan Respublikası ", count: 3000) + "\n")
  }

  // MARK: UDHR (shared corpus)

  /// The shared corpus beside the repository (`../shared`, where CI and
  /// every worktree have it), found from this file's place in the package.
  static let udhrPath: String? = {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let path = repo.deletingLastPathComponent().appendingPathComponent("shared/corpora/udhr/az_cyrl_latn.udhr.tsv").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
  }()

  /// Runs when the corpus is there, and always under CI (`CI=true`), where a
  /// missing corpus must fail rather than skip.
  static let udhrRuns = udhrPath != nil || ProcessInfo.processInfo.environment["CI"] == "true"

  @Test(.enabled(if: udhrRuns, "the shared UDHR corpus (../shared/corpora/udhr) is not beside the repository"))
  func udhrBothDirectionsExact() throws {
    let path = try #require(Self.udhrPath, "../shared/corpora/udhr/az_cyrl_latn.udhr.tsv is missing (CI must have it)")
    let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
      .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
      .filter { $0.count >= 3 && ($0.count < 4 || $0[3].isEmpty) }
    #expect(rows.count > 80)
    let toLatn = try Transliterator(scheme: .azCyrlLatn)
    let toCyrl = try Transliterator(scheme: .azLatnCyrl)
    var exactL = 0
    var exactC = 0
    for r in rows {
      if toLatn.apply(r[1]) == r[2] { exactL += 1 } else { Issue.record("az-cyrl-latn \(r[0]): \(toLatn.apply(r[1]))") }
      if toCyrl.apply(r[2]) == r[1] { exactC += 1 } else { Issue.record("az-latn-cyrl \(r[0]): \(toCyrl.apply(r[2]))") }
    }
    #expect(exactL == rows.count)
    #expect(exactC == rows.count)
  }
}

