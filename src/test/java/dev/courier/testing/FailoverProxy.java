package dev.courier.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP balancer on loopback for tests: each new connection goes to the first backend that accepts one, so clients
 * move to the next node once the first stops listening, as behind a balancer whose health check took it out.
 */
public final class FailoverProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Integer> backendPorts;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Integer> out = ConcurrentHashMap.newKeySet();

    public FailoverProxy(List<Integer> backendPorts) throws IOException {
        this.backendPorts = backendPorts;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("failover-proxy").start(this::accept);
    }

    /**
     * Sends no new connection to that backend, as a balancer does once its health check failed (a frozen node still
     * accepts connections; only the check's timeout tells). Connections already made to it stay.
     */
    public void takeOut(int backendPort) {
        out.add(backendPort);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = connect();
                if (server == null) {
                    client.close();
                    continue;
                }
                open.add(client);
                open.add(server);
                Thread.ofVirtual().start(() -> pump(client, server));
                Thread.ofVirtual().start(() -> pump(server, client));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private Socket connect() {
        for (int port : backendPorts) {
            if (out.contains(port)) {
                continue;
            }
            try {
                return new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (IOException refused) {
                // that node is gone: the next one
            }
        }
        return null;
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16_384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }
}
