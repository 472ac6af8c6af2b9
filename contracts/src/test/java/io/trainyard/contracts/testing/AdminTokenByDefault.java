package io.trainyard.contracts.testing;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;

/**
 * Before each {@code @QuarkusTest} method: REST Assured calls carry the token of {@link TestTokens#ADMIN} unless the
 * test says otherwise ({@code given().auth().oauth2(other)} or {@code given().auth().none()}). A module turns it on
 * by listing this class in {@code META-INF/services/io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback}.
 */
public class AdminTokenByDefault implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        RestAssured.authentication = RestAssured.oauth2(TestTokens.admin());
    }
}
