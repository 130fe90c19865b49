package dev.courier.loadtest;

/** How virtual users send: {@code POST .../messages}, or a {@code send} frame on their stream socket. */
public enum Transport {
    REST, SOCKET
}
