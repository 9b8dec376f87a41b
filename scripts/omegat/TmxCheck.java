// Loads a TMX with OmegaT's own reader (org.omegat.util.TMXReader2, the one
// OmegaT uses for project and reference memories) and prints what it saw.
// Usage: java -cp /usr/share/omegat/OmegaT.jar scripts/omegat/TmxCheck.java FILE.tmx SRC TGT [level2]
// (level2: read inline codes as OmegaT tags, OmegaT's "extTmxLevel2" mode)
// Exit 0 when every <tu> gave an entry with a source text; prints the first
// few pairs and counts.
import java.io.File;
import org.omegat.util.Language;
import org.omegat.util.TMXReader2;

public class TmxCheck {
  public static void main(String[] args) throws Exception {
    File f = new File(args[0]);
    Language src = new Language(args[1]);
    Language tgt = new Language(args[2]);
    final int[] n = {0, 0, 0};
    final boolean level2 = args.length > 3 && args[3].equals("level2");
    new TMXReader2().readTMX(f, src, tgt, false, false, level2, false, (tu, tuvSource, tuvTarget, isParagraph) -> {
      n[0]++;
      if (tuvSource != null && tuvSource.text != null) n[1]++;
      if (tuvTarget != null && tuvTarget.text != null) {
        n[2]++;
        if (n[2] <= 3 || tuvTarget.text.contains("\t") || tuvTarget.text.contains("\n")) {
          System.out.println("  " + tuvSource.text.replace("\n", "\\n").replace("\t", "\\t") + "  =>  "
              + tuvTarget.text.replace("\n", "\\n").replace("\t", "\\t"));
        }
      }
      return true;
    });
    System.out.println("OmegaT TMXReader2: " + n[0] + " tu, " + n[1] + " with " + args[1] + ", " + n[2] + " with " + args[2]);
    System.exit(n[0] > 0 && n[1] == n[0] ? 0 : 1);
  }
}
