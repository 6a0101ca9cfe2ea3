package dev.ferry.recipes.workos;

import dev.ferry.core.source.InputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code --role-mapping FILE}: lines {@code external_id,role_slug}, an optional header line, blank lines
 * and {@code #} comments ignored. Any bad line is fatal (exit 2) with file and line: a role mapping is
 * configuration, not data, and a half-applied one would import users with the wrong roles.
 */
public final class RoleMappingFile {
  private RoleMappingFile() {}

  public static Map<String, String> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": no such file (--role-mapping)");
    } catch (CharacterCodingException e) {
      throw new InputException(file + ":" + firstNonUtf8Line(file) + ": not UTF-8 text (--role-mapping)");
    } catch (IOException e) {
      throw new InputException(file + ": cannot read (--role-mapping): " + e.getClass().getSimpleName());
    }
    Map<String, String> roles = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (i == 0 && line.startsWith("\uFEFF")) line = line.substring(1);
      int n = i + 1;
      if (line.isEmpty() || line.startsWith("#")) continue;
      if (roles.isEmpty() && line.replace(" ", "").equalsIgnoreCase("external_id,role_slug")) continue;
      int comma = line.indexOf(',');
      if (comma < 0 || line.indexOf(',', comma + 1) >= 0) {
        throw new InputException(file + ":" + n + ": expected 2 fields 'external_id,role_slug', found "
            + line.split(",", -1).length + " (--role-mapping)");
      }
      String ext = line.substring(0, comma).strip();
      String role = line.substring(comma + 1).strip();
      if (ext.isEmpty()) throw new InputException(file + ":" + n + ": external_id is empty");
      if (ext.length() > 64) throw new InputException(file + ":" + n + ": external_id is longer than 64 characters");
      List<String> parsed = RowValidator.parseRoles(role);
      if (parsed == null || parsed.size() != 1) {
        throw new InputException(file + ":" + n + ": role_slug '" + RowValidator.clip(role) + "' is not a valid slug");
      }
      String before = roles.putIfAbsent(ext, parsed.get(0));
      if (before != null && !before.equals(parsed.get(0))) {
        throw new InputException(file + ":" + n + ": external_id '" + ext + "' is mapped twice (" + before + ", "
            + parsed.get(0) + ")");
      }
    }
    return roles;
  }

  /** The 1-based line holding the first byte sequence that is not UTF-8 (0 when the file cannot be read again). */
  private static long firstNonUtf8Line(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      int start = 0;
      long line = 1;
      for (int i = 0; i <= bytes.length; i++) {
        if (i == bytes.length || bytes[i] == '\n') {
          try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes, start, i - start));
          } catch (CharacterCodingException e) {
            return line;
          }
          start = i + 1;
          line++;
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return 0;
  }
}
