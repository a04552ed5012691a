namespace Matcha.Ratings.Recommendations.Model;

/// <summary>A trained model that predicts a score for a dense user and item index (-1 for one it has never seen).</summary>
public interface IRatingModel
{
    float Predict(int user, int item);
}
