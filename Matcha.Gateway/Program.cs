using Matcha.Gateway.Authentication;
using Matcha.Gateway.Proxy;
using Matcha.Gateway.RateLimiting;
using Matcha.Gateway.Screens;
using Matcha.Gateway.Session;
using Matcha.Gateway.WebApp;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAccessTokenAuthentication();
builder.AddGatewayRateLimiting();
builder.AddServiceProxy();
builder.AddSessionApi();
builder.AddScreens();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseWebApp();
app.MapServiceProxy();
app.MapSessionApi();
app.MapScreensApi();
app.MapWebAppRoutes();

app.Run();
