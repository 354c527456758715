Console.WriteLine("SpinPet chain simulator");
