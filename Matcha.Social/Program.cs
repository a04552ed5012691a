using Matcha.EventBus;
using Matcha.Social.Collections;
using Matcha.Social;
using Matcha.Social.Feed;
using Matcha.Social.Follows;
using Matcha.Social.Members;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseRateLimiter();
app.MapMembersApi();
app.MapFollowsApi();
app.MapFeedApi();
app.MapCollectionsApi();
app.MapCollectionFilmsApi();
app.MapDeadLetterEndpoints();

app.Run();
