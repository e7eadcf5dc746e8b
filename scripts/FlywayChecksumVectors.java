import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

// Test vectors for Flyway's checksum, from the JDK alone: `java scripts/FlywayChecksumVectors.java [FILE...]`.
// Flyway's ChecksumCalculator, re-derived: BufferedReader.readLine() over UTF-8 text, a leading
// U+FEFF dropped from the first line, each line's UTF-8 bytes fed to CRC32 with no separator, (int).
public class FlywayChecksumVectors {
    static int checksum(byte[] bytes) throws IOException {
        CRC32 crc = new CRC32();
        BufferedReader reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8), 4096);
        String line = reader.readLine();
        if (line != null) {
            if (!line.isEmpty() && line.charAt(0) == '\ufeff') line = line.substring(1);
            do { crc.update(line.getBytes(StandardCharsets.UTF_8)); } while ((line = reader.readLine()) != null);
        }
        return (int) crc.getValue();
    }
    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            for (String path : args) System.out.println(checksum(java.nio.file.Files.readAllBytes(java.nio.file.Path.of(path))) + " " + path);
            return;
        }
        String[][] texts = {
            {"empty", ""},
            {"lf", "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);\n"},
            {"crlf", "CREATE TABLE t (a INTEGER);\r\nINSERT INTO t VALUES (1);\r\n"},
            {"lone-cr", "CREATE TABLE t (a INTEGER);\rINSERT INTO t VALUES (1);\r"},
            {"no-trailing-newline", "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);"},
            {"bom", "\ufeffCREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);\n"},
            {"blank-lines", "\n\nCREATE TABLE t (a INTEGER);\n\n\nINSERT INTO t VALUES (1);\n\n"},
            {"non-ascii", "INSERT INTO t VALUES ('héllo wörld ✓ 😀');\n"},
            {"trailing-space", "CREATE TABLE t (a INTEGER); \nINSERT INTO t VALUES (1);\n"},
            {"bom-on-second-line", "CREATE TABLE t (a INTEGER);\n\ufeffINSERT INTO t VALUES (1);\n"},
            {"select-one", "SELECT 1;\n"},
        };
        for (String[] t : texts) {
            System.out.println(t[0] + "\t" + checksum(t[1].getBytes(StandardCharsets.UTF_8)));
        }
    }
}
