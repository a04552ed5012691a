using Matcha.Accounts;
using Matcha.Accounts.SigningKeys;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapJwksApi();

app.Run();
