import Testing
@testable import TMKit

@Suite struct NumberTests {
  func values(_ s: String, _ l: Language) -> [Double] { Numbers.find(in: s, language: l).map(\.value) }

  @Test func localFormatsHaveOneValue() {
    #expect(values("70 000 manat", .az) == [70000])
    #expect(values("70\u{00A0}000 руб.", .ru) == [70000])
    #expect(values("70,000 dollars", .en) == [70000])
    #expect(values("70.000 nəfər", .az) == [70000])
    #expect(values("1,5 млн", .ru) == [1.5])
    #expect(values("1.5 million", .en) == [1.5])
    #expect(values("1 000,5 и 1,000.5", .ru) == [1000.5, 1000.5])
  }

  @Test func ordinalSuffixesAreSeparate() {
    let m = Numbers.find(in: "1918-ci ildə, 1918 г., 5-го мая, the 5th", language: .az)
    #expect(m.map(\.value) == [1918, 1918, 5, 5])
    #expect(m.map { String($0.suffix) } == ["-ci", "", "-го", "th"])
  }

  @Test func spacesDoNotGlueUnrelatedNumbers() {
    #expect(values("в 5 10 раз", .ru) == [5, 10])
    #expect(values("Statya 5 12 pages", .en) == [5, 12])
  }

  @Test func lettersBeforeDigitsAreNotNumbers() {
    #expect(values("A4 kağız və 3 vərəq", .az) == [3])
  }
}

@Suite struct CrossScriptKeyTests {
  @Test func sameNameAcrossScripts() throws {
    let k = try CrossScriptKey()
    #expect(k.key("Алиева", language: .ru) == k.key("Aliyeva", language: .en))
    #expect(k.key("Əliyeva", language: .az) == k.key("Алиева", language: .ru))
    #expect(k.key("Әлијева", language: .azCyrl) == k.key("Əliyeva", language: .az))
    #expect(k.key("Гянджа", language: .ru) == k.key("Gəncə", language: .az))
    #expect(k.key("Ganja", language: .en) == k.key("Gəncə", language: .az))
    #expect(k.key("İLHAM", language: .az) == k.key("Ильхам", language: .ru))
    #expect(k.key("Xankəndi", language: .az) == "hankandi")
  }

  @Test func differentNamesDiffer() throws {
    let k = try CrossScriptKey()
    #expect(k.key("Алиева", language: .ru) != k.key("Ахмедова", language: .ru))
  }
}
