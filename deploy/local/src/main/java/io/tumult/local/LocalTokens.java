package io.tumult.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * A token issuer for the local loop and the tests: a fresh RSA key pair whose public half the scheduler is told to
 * trust ({@link #schedulerConfig()}), and bearer tokens (JWT, RS256) signed with the private half, carrying the
 * caller's name in {@code upn} and roles in {@code groups}. In production an OIDC provider plays this part.
 */
public final class LocalTokens {

    /** The issuer ({@code iss}) of every token minted here. */
    public static final String ISSUER = "https://tumult.local/issuer";

    private static final String PUBLIC_KEY = "tumult-jwt-public.pem";
    private static final String PRIVATE_KEY = "tumult-jwt-private.pem";

    private final KeyPair keys;
    private final Path publicKeyFile;

    private LocalTokens(KeyPair keys, Path publicKeyFile) {
        this.keys = keys;
        this.publicKeyFile = publicKeyFile;
    }

    /**
     * A new key pair in {@code dir}: the public key as {@code tumult-jwt-public.pem}, the private key (readable by its
     * owner only) as {@code tumult-jwt-private.pem}.
     */
    public static LocalTokens create(Path dir) throws IOException {
        KeyPair keys;
        try {
            var generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM cannot make RSA keys", e);
        }
        Files.createDirectories(dir);
        Path privateFile = dir.resolve(PRIVATE_KEY);
        Files.deleteIfExists(privateFile);
        Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(privateFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        Path publicFile = dir.resolve(PUBLIC_KEY);
        Files.writeString(publicFile, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
        return new LocalTokens(keys, publicFile);
    }

    /** The key pair {@link #create} left in {@code dir}, or a new one if there is none. */
    public static synchronized LocalTokens openOrCreate(Path dir) throws IOException {
        Path privateFile = dir.resolve(PRIVATE_KEY);
        Path publicFile = dir.resolve(PUBLIC_KEY);
        if (!Files.exists(privateFile) || !Files.exists(publicFile)) {
            return create(dir);
        }
        try {
            var rsa = KeyFactory.getInstance("RSA");
            var keys = new KeyPair(rsa.generatePublic(new X509EncodedKeySpec(unpem(publicFile))),
                    rsa.generatePrivate(new PKCS8EncodedKeySpec(unpem(privateFile))));
            return new LocalTokens(keys, publicFile);
        } catch (GeneralSecurityException e) {
            throw new IOException("not an RSA key pair in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(Path file) throws IOException {
        return Base64.getMimeDecoder().decode(Files.readString(file).replaceAll("-----[A-Z ]+-----", ""));
    }

    /** What the scheduler needs to verify these tokens: the public key's location and the issuer. */
    public Map<String, String> schedulerConfig() {
        return Map.of("mp.jwt.verify.publickey.location", publicKeyFile.toUri().toString(),
                "mp.jwt.verify.issuer", ISSUER);
    }

    public Path publicKeyFile() {
        return publicKeyFile;
    }

    /**
     * A token for {@code user} with {@code roles} (viewer, operator, admin), valid for {@code lifetime} (negative: expired).
     */
    public String mint(String user, Duration lifetime, String... roles) {
        var claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject(user);
        claims.setClaim("upn", user);
        claims.setStringListClaim("groups", List.of(roles));
        claims.setIssuedAtToNow();
        var expires = NumericDate.now();
        expires.addSeconds(lifetime.toSeconds());
        claims.setExpirationTime(expires);
        claims.setJwtId(UUID.randomUUID().toString());
        var jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
    }

    /** A token for {@code user} with {@code roles}, valid for an hour. */
    public String mint(String user, String... roles) {
        return mint(user, Duration.ofHours(1), roles);
    }
}
