using Matcha.EventBus;
using Matcha.Ratings;
using Matcha.Ratings.Comments;
using Matcha.Ratings.MyFilms;
using Matcha.Ratings.Profiles;
using Matcha.Ratings.RateToStart;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Recommendations;
using Matcha.Ratings.Wishlist;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapRatingsApi();
app.MapWishlistApi();
app.MapCommentsApi();
app.MapRecommendationsApi();
app.MapMyFilmsApi();
app.MapMyOverviewApi();
app.MapRateToStartApi();
app.MapProfilesApi();
app.MapDeadLetterEndpoints();

app.Run();
