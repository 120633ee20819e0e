Console.Error.WriteLine("Recommender.Training: no commands yet");
return 1;
