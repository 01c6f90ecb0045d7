package jmail.submit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** RFC 2047 "B" encoded-words, for putting non-ASCII text (a -F full name) into a header. */
final class EncodedWords {

    // 45 input octets make 60 base64 characters; with "=?UTF-8?B?" and "?=" a word is 72
    // characters, inside RFC 2047's limit of 75.
    private static final int MAX_OCTETS_PER_WORD = 45;

    private EncodedWords() {
    }

    /**
     * Encodes {@code text} as one or more encoded-words, to be joined by white space. Words
     * split between characters, never inside one, so each decodes on its own.
     */
    static List<String> encode(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        int octets = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            int size = ch.getBytes(StandardCharsets.UTF_8).length;
            if (octets + size > MAX_OCTETS_PER_WORD) {
                words.add(word(chunk.toString()));
                chunk.setLength(0);
                octets = 0;
            }
            chunk.append(ch);
            octets += size;
            i += Character.charCount(cp);
        }
        if (chunk.length() > 0 || words.isEmpty()) {
            words.add(word(chunk.toString()));
        }
        return words;
    }

    private static String word(String s) {
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "?=";
    }
}
