using Matcha.Catalog;
using Matcha.Catalog.Movies;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMoviesApi();

app.Run();
