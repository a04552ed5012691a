using Matcha.Catalog;
using Matcha.Catalog.Cards;
using Matcha.Catalog.Import;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Matcha.Catalog.Rankings;
using Matcha.Catalog.Search;
using Matcha.Catalog.Shelves;
using Matcha.EventBus;

if (ImportCommand.Matches(args))
{
    await ImportCommand.RunAsync(args);
    return;
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMoviesApi();
app.MapMovieCardsApi();
app.MapMovieAdminApi();
app.MapPeopleApi();
app.MapPersonCardsApi();
app.MapPeopleAdminApi();
app.MapCardsGrpc();   // gRPC at the HTTP/2 endpoint "grpc"
app.MapSearchApi();
app.MapRankingsApi();
app.MapShelvesApi();
app.MapRateToStartFilmsApi();
app.MapDeadLetterEndpoints();

await app.RunAsync();
