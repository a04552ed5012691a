using Matcha.Gateway.Accounts;
using Matcha.Gateway.Authentication;
using Matcha.Gateway.Proxy;
using Matcha.Gateway.RateLimiting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAccessTokenAuthentication();
builder.AddDeletedAccountWrites();
builder.AddGatewayRateLimiting();
builder.AddServiceProxy();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapServiceProxy();

app.Run();
