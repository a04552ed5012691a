using Matcha.Gateway.Accounts;
using Matcha.Gateway.Authentication;
using Matcha.Gateway.GraphQL;
using Matcha.Gateway.Limits;
using Matcha.Gateway.Proxy;
using Matcha.Gateway.RateLimiting;
using Matcha.Gateway.Screens;
using Matcha.Gateway.Session;
using Matcha.Gateway.Transport;
using Matcha.Gateway.WebApp;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTransportSecurity();
builder.AddRequestLimits();
builder.AddAccessTokenAuthentication();
builder.AddDeletedAccountWrites();
builder.AddGatewayRateLimiting();
builder.AddServiceProxy();
builder.AddCatalogPageCache();
builder.AddSessionApi();
builder.AddScreens();
builder.AddGraphQLApi();

var app = builder.Build();

app.UseTransportSecurity();   // trusted proxies' X-Forwarded-*, HSTS over https, nosniff
app.MapDefaultEndpoints();
app.UseWebApp();   // static files: public, answered before anything below
app.UseRequestLimits();   // bodies over their route's limit: 413 before anything reads them

// Every endpoint (health and OpenAPI above; proxy, session, screens and the web app below) passes these, in
// this order: the caller's identity, then a deleted account's writes refused, then rate limiting
// (it partitions by user, so it needs the identity), then the closed authorization; only then
// may the gateway answer a catalogue page from its own memory.
app.UseAuthentication();
app.UsePersonalAnswersNotStored();
app.UseDeletedAccountWrites();
app.UseRateLimiter();
app.UseAuthorization();
app.UseCatalogPageCache();   // a film's or person's page kept a second, after every check above

app.MapServiceProxy();
app.MapSessionApi();
app.MapScreensApi();
app.MapGraphQLApi();
app.MapWebAppRoutes();

app.Run();
