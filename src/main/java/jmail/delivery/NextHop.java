package jmail.delivery;

/** Where one connection goes: the host name (for TLS checks and logs), the address and the port. */
record NextHop(String host, String address, int port) {
    String describe() {
        return host + "[" + address + "]:" + port;
    }
}
