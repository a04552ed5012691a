using Grpc.Core;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Contracts.Catalog.V1;
using Microsoft.AspNetCore.Authorization;

namespace Matcha.Catalog.Cards;

/// <summary>
/// The card reads over gRPC, for the gateway's screens: the same reads as <c>GET /movies/cards</c>
/// and <c>GET /people/cards</c>, answered in protobuf. Unlike the REST reads, which stay public,
/// every call needs the gateway's internal token, checked by the same JwtBearer scheme and
/// default policy as the HTTP endpoints: the gRPC port is the gateway's way in, no one else's.
/// </summary>
[Authorize]
internal sealed class CatalogCardsService(CatalogDbContext db, CardCache cards, TimeProvider clock) : CatalogCards.CatalogCardsBase
{
    public override async Task<FilmCards> GetFilmCards(CardsRequest request, ServerCallContext context)
    {
        var films = await CardReads.MoviesAsync(db, cards, Ids(request), clock.Today(), context.CancellationToken);
        var reply = new FilmCards();
        reply.Items.AddRange(films.Select(ToCard));
        return reply;
    }

    public override async Task<PersonCards> GetPersonCards(CardsRequest request, ServerCallContext context)
    {
        var people = await CardReads.PeopleAsync(db, cards, Ids(request), context.CancellationToken);
        var reply = new PersonCards();
        reply.Items.AddRange(people.Select(person => new PersonCard { Id = person.Id, Names = { person.Names.ToDictionary() } }));
        return reply;
    }

    private static IReadOnlyList<int> Ids(CardsRequest request) =>
        BatchIds.TryTake(request.Ids, out var ids) ? ids : throw new RpcException(new Status(StatusCode.InvalidArgument, BatchIds.Rule("ids")));

    private static FilmCard ToCard(MovieSummary film)
    {
        var card = new FilmCard
        {
            Id = film.Id,
            Titles = { film.Titles.ToDictionary() },
            OriginalTitle = film.OriginalTitle,
            Released = film.Released,
            Genres = { film.Genres },
            Countries = { film.Countries },
            Stats = new FilmStats
            {
                Count = film.Stats.Count,
                Histogram = { film.Stats.Histogram },
                Wishes = film.Stats.Wishes,
                Comments = film.Stats.Comments,
            },
            Popularity = film.Popularity,
        };
        // proto3 optional fields: left unset, not set to a default, when the film has no value.
        if (film.Year is { } year)
        {
            card.Year = year;
        }
        if (film.ReleaseDate is { } date)
        {
            card.ReleaseDate = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }
        if (film.PosterUrl is { } poster)
        {
            card.PosterUrl = poster;
        }
        if (film.Stats.Average is { } average)
        {
            card.Stats.Average = average;
        }
        return card;
    }
}
