package dev.courier.accounts;

import java.util.Arrays;

/** A session token's SHA-256 as a map key: equal by content, unlike the array. */
record TokenHash(byte[] bytes) {

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenHash that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "TokenHash[" + bytes.length + " bytes]";
    }
}
