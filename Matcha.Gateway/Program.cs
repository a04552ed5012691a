using Matcha.Gateway.Proxy;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceProxy();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapServiceProxy();

app.Run();
