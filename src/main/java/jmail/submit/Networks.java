package jmail.submit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** {@code mynetworks}: CIDR blocks such as {@code 127.0.0.0/8} and {@code [::1]/128}. */
public final class Networks {
    private record Block(byte[] prefix, int bits) {
    }

    private final List<Block> blocks;

    private Networks(List<Block> blocks) {
        this.blocks = blocks;
    }

    public static Networks parse(List<String> cidrs) {
        List<Block> out = new ArrayList<>();
        for (String c : cidrs) {
            String s = c.strip().replace("[", "").replace("]", "");
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            if (!addr.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("mynetworks: \"" + c + "\" is not an address or address/bits");
            }
            try {
                byte[] bytes = InetAddress.getByName(addr).getAddress();
                int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new IllegalArgumentException("mynetworks: \"" + c + "\" has a bad prefix length");
                }
                out.add(new Block(bytes, bits));
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("mynetworks: \"" + c + "\" is not an address or address/bits");
            }
        }
        return new Networks(out);
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        for (Block blk : blocks) {
            if (blk.prefix().length == b.length && matches(blk.prefix(), b, blk.bits())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] prefix, byte[] b, int bits) {
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((prefix[i / 8] & mask) != (b[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
