package io.trainyard.contracts.testing;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * Bearer tokens for the services' tests, signed with a key pair generated once per test JVM (never committed).
 *
 * <p>The application under test and the test code may see this class through different class loaders, so the keys
 * live in system properties, which both share: whoever comes first generates them.
 */
public final class TestTokens {

    /** The issuer the services expect ({@code mp.jwt.verify.issuer}). */
    public static final String ISSUER = "trainyard";

    /** The admin the tests act as unless they say otherwise. */
    public static final String ADMIN = "test-admin";

    private static final String PRIVATE_KEY = "trainyard.test.jwt.private-key";
    private static final String PUBLIC_KEY = "trainyard.test.jwt.public-key";

    private TestTokens() {
    }

    /** The public key, X.509 DER in Base64: the value of {@code mp.jwt.verify.publickey}. */
    public static String publicKey() {
        keys();
        return System.getProperty(PUBLIC_KEY);
    }

    /** The public key as PEM, for a service started as a process ({@code mp.jwt.verify.publickey.location}). */
    public static String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(Base64.getDecoder().decode(publicKey())) + "\n-----END PUBLIC KEY-----\n";
    }

    /** The token of {@link #ADMIN}. */
    public static String admin() {
        return token(ADMIN, "admin");
    }

    /** A token of {@code user} with one role (admin, researcher, viewer, or anything else), valid for an hour. */
    public static String token(String user, String role) {
        return sign(claims(user, List.of(role), Duration.ofHours(1)), privateKey());
    }

    /** A token that expired a while ago (past any clock skew the verifier allows). */
    public static String expired(String user, String role) {
        JwtClaims claims = claims(user, List.of(role), Duration.ofHours(1));
        claims.setIssuedAt(NumericDate.fromSeconds(Instant.now().minus(Duration.ofHours(3)).getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().minus(Duration.ofHours(2)).getEpochSecond()));
        return sign(claims, privateKey());
    }

    /** A well-formed token signed by a key the services do not trust. */
    public static String signedByStranger(String user, String role) {
        return sign(claims(user, List.of(role), Duration.ofHours(1)), generate().getPrivate());
    }

    /** A token from another issuer, signed with the trusted key. */
    public static String fromIssuer(String issuer, String user, String role) {
        JwtClaims claims = claims(user, List.of(role), Duration.ofHours(1));
        claims.setIssuer(issuer);
        return sign(claims, privateKey());
    }

    private static JwtClaims claims(String user, List<String> groups, Duration ttl) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject(user);
        claims.setClaim("upn", user);
        claims.setStringListClaim("groups", groups);
        claims.setIssuedAtToNow();
        claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().plus(ttl).getEpochSecond()));
        claims.setGeneratedJwtId();
        return claims;
    }

    private static String sign(JwtClaims claims, PrivateKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }

    private static PrivateKey privateKey() {
        keys();
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                    .decode(System.getProperty(PRIVATE_KEY))));
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void keys() {
        synchronized (System.getProperties()) {
            if (System.getProperty(PRIVATE_KEY) == null) {
                KeyPair pair = generate();
                System.setProperty(PUBLIC_KEY, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
                System.setProperty(PRIVATE_KEY, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
            }
        }
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
