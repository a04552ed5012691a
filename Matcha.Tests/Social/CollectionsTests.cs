using System.Net;

namespace Matcha.Tests.Social;

/// <summary>Collections: ordered, public or private lists of films, liked by others, through the gateway.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class CollectionsTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task AnOwnerAddsMovesAndRemovesFilmsAndTheCollectionKeepsTheirOrder()
    {
        using var gateway = fixture.CreateGatewayClient();
        var owner = await gateway.NewFanAsync();
        var me = await gateway.SocialProfileAsync(owner);
        int[] films = [await fixture.WriteFilmAsync(), await fixture.WriteFilmAsync(), await fixture.WriteFilmAsync(), await fixture.WriteFilmAsync()];

        var created = await gateway.CreateCollectionAsync(owner, "  Rainy Sundays  ", "Films for staying in.");
        Assert.Equal(("Rainy Sundays", "Films for staying in.", true, true, me.Handle), (created.Title, created.Description, created.IsPublic, created.IsMine, created.Owner.Handle));
        Assert.Empty(created.Films);

        foreach (var film in films)
        {
            await gateway.AddToCollectionAsync(owner, created.Id, film);
        }
        await gateway.AddToCollectionAsync(owner, created.Id, films[1]);
        Assert.Equal(films, (await gateway.CollectionAsync(owner, created.Id)).Films);

        await gateway.ExpectAsync(owner, HttpMethod.Put, $"/api/social/collections/{created.Id}/films/{films[3]}/position", new { position = 0 }, HttpStatusCode.NoContent);
        Assert.Equal([films[3], films[0], films[1], films[2]], (await gateway.CollectionAsync(owner, created.Id)).Films);
        await gateway.ExpectAsync(owner, HttpMethod.Put, $"/api/social/collections/{created.Id}/films/{films[0]}/position", new { position = 2 }, HttpStatusCode.NoContent);
        Assert.Equal([films[3], films[1], films[0], films[2]], (await gateway.CollectionAsync(owner, created.Id)).Films);

        await gateway.ExpectAsync(owner, HttpMethod.Delete, $"/api/social/collections/{created.Id}/films/{films[1]}", null, HttpStatusCode.NoContent);
        Assert.Equal([films[3], films[0], films[2]], (await gateway.CollectionAsync(owner, created.Id)).Films);
        // Places stay without gaps: the last film can still be moved to the last place.
        await gateway.ExpectAsync(owner, HttpMethod.Put, $"/api/social/collections/{created.Id}/films/{films[3]}/position", new { position = 2 }, HttpStatusCode.NoContent);
        Assert.Equal([films[0], films[2], films[3]], (await gateway.CollectionAsync(owner, created.Id)).Films);

        var list = await gateway.CollectionsOfAsync(owner, me.Handle);
        var summary = Assert.Single(list.Items);
        Assert.Equal((created.Id, 3), (summary.Id, summary.FilmCount));
        Assert.Equal([films[0], films[2], films[3]], summary.CoverFilms);

        await gateway.ExpectAsync(owner, HttpMethod.Delete, $"/api/social/collections/{created.Id}", null, HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.SendAsync(owner, HttpMethod.Get, $"/api/social/collections/{created.Id}")).StatusCode);
        Assert.Empty((await gateway.CollectionsOfAsync(owner, me.Handle)).Items);
    }

    [Fact]
    public async Task AnotherMemberLikesACollectionOnceAndNobodyLikesTheirOwn()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (owner, fan) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        await gateway.SocialProfileAsync(owner);
        var collection = await gateway.CreateCollectionAsync(owner, "Liked");

        await gateway.LikeCollectionAsync(fan, collection.Id);
        await gateway.LikeCollectionAsync(fan, collection.Id);

        var seenByFan = await gateway.CollectionAsync(fan, collection.Id);
        Assert.Equal((1, true, false), (seenByFan.Likes, seenByFan.LikedByMe, seenByFan.IsMine));
        Assert.Equal((1, false), ((await gateway.CollectionAsync(owner, collection.Id)).Likes, (await gateway.CollectionAsync(owner, collection.Id)).LikedByMe));

        Assert.Equal((HttpStatusCode.BadRequest, "id"), await gateway.FieldsRefusedAsync(owner, HttpMethod.Put, $"/api/social/collections/{collection.Id}/like"));
        Assert.Equal(1, (await gateway.CollectionAsync(owner, collection.Id)).Likes);

        await gateway.ExpectAsync(fan, HttpMethod.Delete, $"/api/social/collections/{collection.Id}/like", null, HttpStatusCode.NoContent);
        await gateway.ExpectAsync(fan, HttpMethod.Delete, $"/api/social/collections/{collection.Id}/like", null, HttpStatusCode.NoContent);
        Assert.Equal((0, false), ((await gateway.CollectionAsync(fan, collection.Id)).Likes, (await gateway.CollectionAsync(fan, collection.Id)).LikedByMe));
    }

    [Fact]
    public async Task APrivateCollectionIsSeenByItsOwnerOnlyUntilItIsMadePublic()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (owner, other) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var ownerHandle = (await gateway.SocialProfileAsync(owner)).Handle;
        var film = await fixture.WriteFilmAsync();
        var hidden = await gateway.CreateCollectionAsync(owner, "Guilty pleasures", isPublic: false);
        var shown = await gateway.CreateCollectionAsync(owner, "Classics");
        await gateway.AddToCollectionAsync(owner, hidden.Id, film);

        Assert.Equal([film], (await gateway.CollectionAsync(owner, hidden.Id)).Films);
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/api/social/collections/{hidden.Id}"),
            (HttpMethod.Put, $"/api/social/collections/{hidden.Id}/like"),
            (HttpMethod.Put, $"/api/social/collections/{hidden.Id}/films/{film}"),
            (HttpMethod.Delete, $"/api/social/collections/{hidden.Id}/films/{film}"),
            (HttpMethod.Delete, $"/api/social/collections/{hidden.Id}"),
        })
        {
            using var response = await gateway.SendAsync(other, method, path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode}");
        }
        Assert.Equal([shown.Id], (await gateway.CollectionsOfAsync(other, ownerHandle)).Items.Select(c => c.Id));
        Assert.Equal([shown.Id, hidden.Id], (await gateway.CollectionsOfAsync(owner, ownerHandle)).Items.Select(c => c.Id));
        Assert.Equal([film], (await gateway.CollectionAsync(owner, hidden.Id)).Films);

        await gateway.ExpectAsync(owner, HttpMethod.Patch, $"/api/social/collections/{hidden.Id}", new { isPublic = true }, HttpStatusCode.OK);
        var nowShown = await gateway.CollectionAsync(other, hidden.Id);
        Assert.Equal(("Guilty pleasures", true), (nowShown.Title, nowShown.IsPublic));
        Assert.Equal([film], nowShown.Films);
        Assert.Equal(2, (await gateway.CollectionsOfAsync(other, ownerHandle)).Items.Count);
    }

    [Fact]
    public async Task AMembersCollectionsArePagedNewestFirstWithoutRepeatsOrGaps()
    {
        using var gateway = fixture.CreateGatewayClient();
        var owner = await gateway.NewFanAsync();
        var handle = (await gateway.SocialProfileAsync(owner)).Handle;
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await gateway.CreateCollectionAsync(owner, $"List {i}")).Id);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await gateway.CollectionsOfAsync(owner, handle, cursor is null ? "?pageSize=2" : $"?pageSize=2&cursor={Uri.EscapeDataString(cursor)}");
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(c => c.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(created), seen);
    }

    [Fact]
    public async Task BadInputIsA400NamingTheFieldAndChangesNothing()
    {
        using var gateway = fixture.CreateGatewayClient();
        var owner = await gateway.NewFanAsync();
        var handle = (await gateway.SocialProfileAsync(owner)).Handle;
        var film = await fixture.WriteFilmAsync();
        var collection = await gateway.CreateCollectionAsync(owner, "Kept", "As it was.");
        await gateway.AddToCollectionAsync(owner, collection.Id, film);
        var path = $"/api/social/collections/{collection.Id}";

        (HttpMethod Method, string Path, object? Body, string Field)[] bad =
        [
            (HttpMethod.Post, "/api/social/collections", new { description = "no title" }, "title"),
            (HttpMethod.Post, "/api/social/collections", new { title = "   " }, "title"),
            (HttpMethod.Post, "/api/social/collections", new { title = new string('t', 101) }, "title"),
            (HttpMethod.Post, "/api/social/collections", new { title = "a\0b" }, "title"),
            (HttpMethod.Post, "/api/social/collections", new { title = "Fine", description = new string('d', 1001) }, "description"),
            (HttpMethod.Patch, path, new { title = "" }, "title"),
            (HttpMethod.Patch, path, new { title = "Changed", description = new string('d', 1001) }, "description"),
            (HttpMethod.Put, $"{path}/films/0", null, "movieId"),
            (HttpMethod.Put, $"{path}/films/{film}/position", new { position = 1 }, "position"),
            (HttpMethod.Put, $"{path}/films/{film}/position", new { position = -1 }, "position"),
            (HttpMethod.Put, $"{path}/films/{film}/position", new { }, "position"),
            (HttpMethod.Get, $"/api/social/members/{handle}/collections?pageSize=0", null, "pageSize"),
            (HttpMethod.Get, $"/api/social/members/{handle}/collections?cursor=later", null, "cursor"),
        ];
        foreach (var (method, target, body, field) in bad)
        {
            Assert.Equal((HttpStatusCode.BadRequest, field), await gateway.FieldsRefusedAsync(owner, method, target, body));
        }

        var after = await gateway.CollectionAsync(owner, collection.Id);
        Assert.Equal(("Kept", "As it was."), (after.Title, after.Description));
        Assert.Equal([film], after.Films);
        Assert.Equal([collection.Id], (await gateway.CollectionsOfAsync(owner, handle)).Items.Select(c => c.Id));
    }

    [Fact]
    public async Task AFilmAddedToAPublicCollectionReachesFollowersFeedsAndAPrivateOneNever()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (reader, curator) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var curators = await gateway.SocialProfileAsync(curator);
        await gateway.FollowAsync(reader, curators.Handle);
        int[] films = [await fixture.WriteFilmAsync(), await fixture.WriteFilmAsync()];
        var shown = await gateway.CreateCollectionAsync(curator, "Seoul at night");
        var hidden = await gateway.CreateCollectionAsync(curator, "Secret", isPublic: false);

        await gateway.AddToCollectionAsync(curator, hidden.Id, films[1]);
        await gateway.AddToCollectionAsync(curator, shown.Id, films[0]);

        var feed = await gateway.GetAsync<FeedPage>(reader, "/api/social/feed");
        var entry = Assert.Single(feed.Items);
        Assert.Equal(("collected", curators.Handle, films[0], new CollectionCardView(shown.Id, "Seoul at night")),
            (entry.Kind, entry.Member.Handle, entry.MovieId, entry.Collection));
        Assert.Empty((await gateway.GetAsync<FeedPage>(curator, "/api/social/feed")).Items);

        // Made private, it leaves the feed; its films added later never reach it.
        await gateway.ExpectAsync(curator, HttpMethod.Patch, $"/api/social/collections/{shown.Id}", new { isPublic = false }, HttpStatusCode.OK);
        await gateway.AddToCollectionAsync(curator, shown.Id, films[1]);
        Assert.Empty((await gateway.GetAsync<FeedPage>(reader, "/api/social/feed")).Items);
    }
}
