using Recommender.Training.Retraining;

namespace Recommender.Training.Tests.Retraining;

public class QualityGateTests
{
    [Fact]
    public void FirstModel_ThatBeatsPopularity_IsAccepted()
    {
        var decision = QualityGate.Decide(candidateNdcg: 0.12, popularityNdcg: 0.11, publishedNdcg: null, margin: 0.02, k: 10);

        Assert.True(decision.Accepted);
        Assert.Contains("no model is published yet", decision.Reason);
    }

    [Theory]
    [InlineData(0.11)]
    [InlineData(0.10)]
    public void AModelThatDoesNotBeatPopularity_IsRejected(double candidate)
    {
        var decision = QualityGate.Decide(candidate, popularityNdcg: 0.11, publishedNdcg: null, margin: 0.02, k: 10);

        Assert.False(decision.Accepted);
        Assert.Contains("does not beat popularity's 0.11", decision.Reason);
    }

    [Theory]
    [InlineData(0.295, true)]   // 1.7% below the published 0.30: inside the 2% margin
    [InlineData(0.294, true)]   // exactly on the floor
    [InlineData(0.293, false)]  // 2.3% below
    [InlineData(0.35, true)]
    public void TheCandidateMayFallAtMostTheMarginBelowThePublishedModel(double candidate, bool accepted)
    {
        var decision = QualityGate.Decide(candidate, popularityNdcg: 0.1, publishedNdcg: 0.30, margin: 0.02, k: 10);

        Assert.Equal(accepted, decision.Accepted);
        Assert.Contains(accepted ? "within 2% of the published model's 0.3" : "below the published model's 0.3 by more than the 2% margin (floor 0.294)", decision.Reason);
    }

    [Fact]
    public void BothRulesBroken_TheReasonNamesBoth()
    {
        var decision = QualityGate.Decide(candidateNdcg: 0.05, popularityNdcg: 0.1, publishedNdcg: 0.3, margin: 0, k: 5);

        Assert.False(decision.Accepted);
        Assert.Contains("ndcg@5 0.05 does not beat popularity's 0.1", decision.Reason);
        Assert.Contains("below the published model's 0.3", decision.Reason);
    }
}
