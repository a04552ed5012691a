using System.Text;
using Matcha.Ratings.Paging;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Requests;
using Matcha.Ratings.Wishlist;
using Microsoft.AspNetCore.Http;

namespace Matcha.Tests.Ratings;

/// <summary>How Ratings reads request bodies and list paging, without the app: every bad input is a 400 naming its field.</summary>
public sealed class RequestReadingTests
{
    [Theory]
    [InlineData("""{"score":4.5}""", 4.5)]
    [InlineData("""{"SCORE":1}""", 1.0)]
    public async Task ARatingBodyIsReadIntoItsRecord(string json, double expected)
    {
        var body = await BindAsync<RatingRequest>(json);

        Assert.True(body.TryGet(out var rating, out _));
        Assert.Equal((decimal)expected, rating.Score);
    }

    [Theory]
    [InlineData("""{"score":""")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("""[4.5]""")]
    [InlineData("""{"score":"4.5"}""")]
    [InlineData("""{"stars":4}""")]
    public async Task AnUnreadableRatingBodyIsAProblemNamingScore(string json)
    {
        var body = await BindAsync<RatingRequest>(json);

        Assert.False(body.TryGet(out _, out var problem));
        Assert.Equal(["score"], problem.ProblemDetails.Errors.Keys);
    }

    [Theory]
    [InlineData("""{"state":"wantToWatch"}""", WishState.WantToWatch)]
    [InlineData("""{"State":"NOTINTERESTED"}""", WishState.NotInterested)]
    public async Task AWishlistBodyIsReadIntoItsRecord(string json, WishState expected)
    {
        var body = await BindAsync<WishlistRequest>(json);

        Assert.True(body.TryGet(out var wish, out _));
        Assert.Equal(expected, wish.State);
    }

    [Theory]
    [InlineData("""{"state":""")]
    [InlineData("""{"state":1}""")]
    [InlineData("""{"state":"1"}""")]
    [InlineData("""{"state":"sleeping"}""")]
    [InlineData("""{}""")]
    [InlineData("""["wantToWatch"]""")]
    public async Task AnUnreadableWishlistBodyIsAProblemNamingState(string json)
    {
        var body = await BindAsync<WishlistRequest>(json);

        Assert.False(body.TryGet(out _, out var problem));
        Assert.Equal(["state"], problem.ProblemDetails.Errors.Keys);
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIsUnsupportedMediaType()
    {
        var context = Request("score=4", "application/x-www-form-urlencoded");

        var refused = await Assert.ThrowsAsync<BadHttpRequestException>(() => JsonBody<RatingRequest>.BindAsync(context, null!).AsTask());
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, refused.StatusCode);
    }

    [Fact]
    public void ANextPageStartsWhereThePreviousEnded()
    {
        Assert.True(PageQuery.TryRead(2, null, out var first, out _));
        var page = first.ToPage([(9L, 3L), (7L, 2L), (5L, 1L)], item => item);

        Assert.True(PageQuery.TryRead(2, page.NextCursor, out var next, out _));
        Assert.Equal((7L, 2L), next.After);
        Assert.Null(next.ToPage([(5L, 1L)], item => item).NextCursor);
    }

    [Theory]
    [InlineData(null, "12", "cursor")]
    [InlineData(null, "1.2.3", "cursor")]
    [InlineData(null, "a.b", "cursor")]
    [InlineData(0, null, "pageSize")]
    [InlineData(101, "1.2", "pageSize")]
    public void BadPagingIsAProblemNamingTheField(int? pageSize, string? cursor, string field)
    {
        Assert.False(PageQuery.TryRead(pageSize, cursor, out _, out var problem));
        Assert.Equal([field], problem.ProblemDetails.Errors.Keys);
    }

    private static async Task<JsonBody<T>> BindAsync<T>(string json) where T : class, IJsonBody<T> =>
        (await JsonBody<T>.BindAsync(Request(json, "application/json"), null!))!;

    private static DefaultHttpContext Request(string body, string contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return context;
    }
}
