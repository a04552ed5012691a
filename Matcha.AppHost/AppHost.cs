using Matcha.AppHost;
using Matcha.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);
// Start-up without waiting on tooling: services run from their build, and readiness is seen within 250 ms (docs/running.md).
builder.UseBuiltExecutables();
builder.AddPromptHealthChecks();

// Infrastructure: containers where a runtime answers, else the machine's own binaries.
var infrastructure = builder.AddMatchaInfrastructure();

var postgres = infrastructure.AddPostgres("postgres");
var catalogDb = postgres.AddDatabase("catalogdb");
var ratingsDb = postgres.AddDatabase("ratingsdb");
var accountsDb = postgres.AddDatabase("accountsdb");
var socialDb = postgres.AddDatabase("socialdb");
// With --postgres standby, Catalog's public reads go to a hot standby (falling back to the primary); else null.
var catalogReplica = postgres.AddReplicaDatabase("catalogdb-replica", "catalogdb");

var redis = infrastructure.AddRedis("redis");

// Mail: a local sink (smtp4dev) that keeps every mail and shows it; nothing leaves the machine.
var mail = builder.AddMailSink("mail");

var signingSecret = builder.AddParameter("accounts-signing-secret",
    new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
var adminEmail = builder.AddParameter("admin-email", "admin@matcha.local", publishValueAsDefault: true);
var adminPassword = builder.AddParameter("admin-password",
    new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
var (gatewaySigningKey, gatewayPublicKey) = builder.AddInternalIdentityKeys();
// How each service's outbox reaches Redis: notify (the table, woken by the service's own commits) or cdc (logical replication); docs/events.md.
// (A parameter given a plain value ignores configuration; this one reads it, notify if unset.)
var eventsRelay = builder.AddParameter("events-relay", () => builder.Configuration["Parameters:events-relay"] ?? "notify", publishValueAsDefault: true);

// Services: each references only its own database, and Redis. Each runs Matcha:Replicas processes
// (1 unless ./eng/run.sh --replicas N), the gateway too, every one behind a single address.
var catalog = builder.AddProject<Projects.Matcha_Catalog>("catalog")
    .WithReference(catalogDb).WaitFor(catalogDb)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Events__Relay", eventsRelay)
    .WithInternalIdentity(gatewayPublicKey)
    .WithHttpHealthCheck("/health")
    .WithGrpcEndpoint()   // the cards the gateway's screens read, over gRPC
    .WithMatchaReplicas()
    .WithDirectEndpoints();
if (catalogReplica is not null)
{
    // No WaitFor: while the standby is down the replica connection opens on the primary.
    catalog.WithReference(catalogReplica);
}

var ratings = builder.AddProject<Projects.Matcha_Ratings>("ratings")
    .WithReference(ratingsDb).WaitFor(ratingsDb)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Events__Relay", eventsRelay)
    .WithInternalIdentity(gatewayPublicKey)
    .WithHttpHealthCheck("/health")
    .WithMatchaReplicas()
    .WithDirectEndpoints();

var accounts = builder.AddProject<Projects.Matcha_Accounts>("accounts")
    .WithReference(accountsDb).WaitFor(accountsDb)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Events__Relay", eventsRelay)
    .WithEnvironment("Accounts__SigningKeys__EncryptionSecret", signingSecret)
    .WithEnvironment("Accounts__Bootstrap__AdminEmail", adminEmail)
    .WithEnvironment("Accounts__Bootstrap__AdminPassword", adminPassword)
    .WithMailSink(mail)
    .WithInternalIdentity(gatewayPublicKey)
    .WithHttpHealthCheck("/health")
    .WithMatchaReplicas()
    .WithDirectEndpoints();

var social = builder.AddProject<Projects.Matcha_Social>("social")
    .WithReference(socialDb).WaitFor(socialDb)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Events__Relay", eventsRelay)
    .WithInternalIdentity(gatewayPublicKey)
    .WithHttpHealthCheck("/health")
    .WithMatchaReplicas()
    .WithDirectEndpoints();

// The gateway: the only endpoint meant for the browser, and the only holder of the internal-token key.
// Redis tells it which accounts were deleted (their tokens may no longer write).
// It waits for Redis only: it asks the services per request (the home screen's lists are read again
// until Catalog answers), so it starts beside them rather than after them (docs/running.md,
// "What the start costs").
var gateway = builder.AddProject<Projects.Matcha_Gateway>("gateway")
    .WithReference(redis).WaitFor(redis)
    .WithReference(catalog)
    .WithReference(ratings)
    .WithReference(accounts)
    .WithReference(social)
    .WithEnvironment("Gateway__InternalIdentity__SigningKey", gatewaySigningKey)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithChaos(builder.Configuration)
    .WithMatchaReplicas()
    .WithStartupReport();

// Links in Accounts' mail open the web app: the gateway here, the site's public address when published.
if (builder.ExecutionContext.IsPublishMode)
{
    accounts.WithEnvironment("Accounts__Mail__SiteUrl", builder.AddParameter("site-url", "https://matcha.example", publishValueAsDefault: true));
}
else
{
    accounts.WithEnvironment("Accounts__Mail__SiteUrl", gateway.GetEndpoint("http"));
}

builder.Build().Run();
