using Matcha.Accounts;
using Matcha.Accounts.Deletion;
using Matcha.Accounts.Passwords;
using Matcha.Accounts.Sessions;
using Matcha.Accounts.SigningKeys;
using Matcha.Accounts.Users;
using Matcha.Accounts.Verification;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseForwardedHeaders();
app.MapDefaultEndpoints();
app.MapJwksApi();
app.MapUsersApi();
app.MapVerificationApi();
app.MapPasswordChangeApi();
app.MapSessionsApi();
app.MapDeletionApi();

app.Run();
