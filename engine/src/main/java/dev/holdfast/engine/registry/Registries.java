package dev.holdfast.engine.registry;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an image's registry is reached, from {@code config.toml}'s {@code [registry]}: {@code docker.io} is
 * {@code registry-1.docker.io}, tried after the {@code mirrors}; a registry is spoken to in plain HTTP when it is on
 * a loopback address (as dockerd treats 127.0.0.0/8) or listed in {@code insecure}, else in HTTPS.
 */
public final class Registries {
    public static final String DOCKER_HUB = "docker.io";

    private final List<String> insecure;
    private final List<URI> mirrors;
    /** Built at the first registry call: an HttpClient keeps a selector thread for its whole life. */
    private volatile HttpClient http;

    public Registries(List<String> insecure, List<String> mirrors) {
        this.insecure = List.copyOf(insecure);
        this.mirrors = mirrors.stream().map(m -> URI.create(m.endsWith("/") ? m : m + "/")).toList();
    }

    /** The base URIs to try for {@code domain}, in order. */
    public List<URI> endpoints(String domain) {
        List<URI> endpoints = new ArrayList<>();
        if (domain.equals(DOCKER_HUB)) {
            endpoints.addAll(mirrors);
            endpoints.add(URI.create("https://registry-1.docker.io/"));
        } else {
            endpoints.add(URI.create((isInsecure(domain) ? "http://" : "https://") + domain + "/"));
        }
        return endpoints;
    }

    public RegistryClient client(URI base, String repository, Credentials credentials, boolean push) {
        return new RegistryClient(http(), base, repository, credentials, push);
    }

    private HttpClient http() {
        HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                            .followRedirects(HttpClient.Redirect.NORMAL).build();
                }
                client = http;
            }
        }
        return client;
    }

    /** {@code serveraddress} of {@code docker login}: a host, a host:port or a URL. */
    public URI loginEndpoint(String serverAddress) {
        String address = serverAddress == null || serverAddress.isEmpty() ? DOCKER_HUB : serverAddress;
        if (address.startsWith("http://") || address.startsWith("https://")) {
            URI uri = URI.create(address);
            return endpoints(uri.getAuthority()).get(0);
        }
        String host = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        return host.equals("index.docker.io") || host.contains("docker.io") ? endpoints(DOCKER_HUB).getLast()
                : endpoints(host).get(0);
    }

    private boolean isInsecure(String domain) {
        if (insecure.contains(domain)) {
            return true;
        }
        String host = domain.startsWith("[") ? domain.substring(1, domain.indexOf(']'))
                : domain.contains(":") ? domain.substring(0, domain.lastIndexOf(':')) : domain;
        if (host.equals("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name: never resolved here, so a DNS answer cannot downgrade it to plain HTTP
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
