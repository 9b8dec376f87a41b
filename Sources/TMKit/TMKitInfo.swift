/// Facts about the library build.
public enum TMKitInfo {
  /// The ICU version the library runs on ("72.1").
  public static var icuVersion: String { ICU.version }
}
