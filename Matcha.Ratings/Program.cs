using Matcha.Ratings;
using Matcha.Ratings.Comments;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapCommentsApi();

app.Run();
