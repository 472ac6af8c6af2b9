package io.trainyard.scheduler.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Decodes strict UTF-8 and knows where it is: the line and column of a byte that is not UTF-8, and of a line longer
 * than allowed. {@link java.io.InputStreamReader} replaces bad bytes silently, and its decoding runs ahead of the
 * parser by a buffer, so neither it nor the CSV parser could say where such a problem is; the JDK's
 * {@link CharsetDecoder} is used directly instead.
 *
 * <p>Characters before a problem are handed out first; the problem is thrown as a {@link Problem} when the reader
 * gets to it, so an earlier problem of the CSV itself is found first, and the parser stands at the problem's value.
 * Lines end at {@code \n}, {@code \r\n} or {@code \r}, as the CSV parser counts them.
 */
final class Utf8LineReader extends Reader {

    /**
     * A problem of the text, thrown as an I/O exception because that is what passes through the CSV parser.
     *
     * @param line      1-based line
     * @param character 1-based character of the line, 0 when the problem is the whole line
     */
    static final class Problem extends IOException {

        private final long line;
        private final long character;

        Problem(long line, long character, String message) {
            super(message);
            this.line = line;
            this.character = character;
        }

        long line() {
            return line;
        }

        long character() {
            return character;
        }
    }

    private static final int BUFFER = 16 * 1024;

    private final InputStream in;
    private final int maxLineLength;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    private final CharBuffer chars = CharBuffer.allocate(BUFFER).flip();
    private long line = 1;
    /** Characters of the current line decoded so far. */
    private long column;
    private boolean afterCr;
    private boolean started;
    private boolean eof;
    private boolean done;
    private Problem pending;

    Utf8LineReader(InputStream in, int maxLineLength) {
        this.in = in;
        this.maxLineLength = maxLineLength;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (!chars.hasRemaining()) {
            if (pending != null) {
                throw pending;
            }
            if (done) {
                return -1;
            }
            decodeMore();
        }
        int n = Math.min(length, chars.remaining());
        chars.get(buffer, offset, n);
        return n;
    }

    private void decodeMore() throws IOException {
        chars.clear();
        CoderResult error = null;
        while (chars.position() == 0) {
            CoderResult result = decoder.decode(bytes, chars, eof);
            if (result.isError()) {
                error = result;
                break;
            }
            if (result.isOverflow()) {
                break;
            }
            if (eof) {
                decoder.flush(chars);
                done = true;
                break;
            }
            bytes.compact();
            int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
            if (n < 0) {
                eof = true;
            } else {
                bytes.position(bytes.position() + n);
            }
            bytes.flip();
        }
        chars.flip();
        count();
        if (error != null && pending == null) {
            byte[] bad = new byte[error.length()];
            bytes.get(bytes.position(), bad);
            pending = new Problem(line, column + 1, "bytes 0x" + HexFormat.ofDelimiter(" 0x").withUpperCase()
                    .formatHex(bad) + " at character " + (column + 1) + " are not UTF-8; save the file as UTF-8");
        }
    }

    /** Moves the position over the decoded characters; stops them at the first line that is too long. */
    private void count() {
        for (int i = chars.position(); i < chars.limit(); i++) {
            char c = chars.get(i);
            if (!started) {
                started = true;
                if (c == '\uFEFF') {
                    chars.limit(i);
                    pending = new Problem(1, 1, "the file starts with a byte order mark (U+FEFF); save it as UTF-8 "
                            + "without BOM");
                    return;
                }
            }
            if (c == '\n') {
                if (!afterCr) {
                    line++;
                }
                column = 0;
                afterCr = false;
            } else if (c == '\r') {
                line++;
                column = 0;
                afterCr = true;
            } else {
                afterCr = false;
                if (++column > maxLineLength) {
                    chars.limit(i);
                    pending = new Problem(line, 0, "the line is longer than " + maxLineLength
                            + " characters (trainyard.scheduler.datasets.max-line-length)");
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
