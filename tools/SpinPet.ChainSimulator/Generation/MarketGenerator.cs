using SimpleBase;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// Decides what the next program transaction does: launch a token (each mint is created before it trades),
/// trade through <see cref="TradeDesk"/>, fail, or mention the program without emitting anything.
/// Not thread-safe: the simulator calls it under its production lock.
/// </summary>
internal sealed class MarketGenerator
{
    private const int TraderCount = 64;
    private const double CreateShareWhileLaunching = 0.4;
    private const double DevBuyShare = 0.4;
    private const double NoEventShare = 0.02;
    private const ushort BaseSwapFee = 100;
    private const ushort BaseBorrowFee = 300;

    private readonly SimulatorOptions _options;
    private readonly Entropy _entropy;
    private readonly TradeDesk _desk;
    private readonly List<MintState> _mints = [];
    private readonly PublicKey[] _traders;
    private readonly PublicKey _admin;
    private readonly PublicKey _paramsAccount;
    private readonly PublicKey _feeRecipient;
    private readonly PublicKey _baseFeeRecipient;

    public MarketGenerator(SimulatorOptions options, Entropy entropy)
    {
        _options = options;
        _entropy = entropy;
        _desk = new TradeDesk(entropy);
        _traders = new PublicKey[TraderCount];
        for (int i = 0; i < _traders.Length; i++)
        {
            _traders[i] = entropy.NewKey();
        }
        _admin = entropy.NewKey();
        _paramsAccount = entropy.NewKey();
        _feeRecipient = entropy.NewKey();
        _baseFeeRecipient = entropy.NewKey();
    }

    public TransactionPlan Next(long blockTime)
    {
        if (_mints.Count < _options.MintCount && (_mints.Count == 0 || _entropy.Chance(CreateShareWhileLaunching)))
        {
            return Create();
        }
        MintState mint = _entropy.Pick(_mints);
        PublicKey trader = _entropy.Pick(_traders);
        if (_entropy.Chance(_options.FailedTransactionRate))
        {
            return _desk.Failed(mint, trader);
        }
        if (_entropy.Chance(NoEventShare))
        {
            return WithoutEvents(mint);
        }
        return _desk.Trade(mint, trader, blockTime);
    }

    private TransactionPlan Create()
    {
        PublicKey creator = _entropy.Pick(_traders);
        var mint = new MintState
        {
            Mint = _entropy.NewKey(),
            CurveAccount = _entropy.NewKey(),
            PoolTokenAccount = _entropy.NewKey(),
            PoolSolAccount = _entropy.NewKey(),
            Curve = new BondingCurve(_options.PriceScaleExponent),
            SwapFee = BaseSwapFee,
            BorrowFee = BaseBorrowFee,
        };
        var (name, symbol) = TokenCatalog.For(_mints.Count);
        var created = new TokenCreatedEvent
        {
            Payer = creator,
            MintAccount = mint.Mint,
            CurveAccount = mint.CurveAccount,
            PoolTokenAccount = mint.PoolTokenAccount,
            PoolSolAccount = mint.PoolSolAccount,
            FeeRecipient = _feeRecipient,
            BaseFeeRecipient = _baseFeeRecipient,
            ParamsAccount = _paramsAccount,
            SwapFee = mint.SwapFee,
            BorrowFee = mint.BorrowFee,
            FeeDiscountFlag = 0,
            Name = name,
            Symbol = symbol,
            Uri = NewMetadataUri(),
        };
        _mints.Add(mint);
        var instructions = new List<InstructionPlan> { new("create", [created]) };
        // Launchers often buy their own token in the launch transaction: two program instructions, one tx.
        if (_entropy.Chance(DevBuyShare))
        {
            instructions.Add(new InstructionPlan("buy", _desk.DevBuy(mint, creator)));
        }
        return new TransactionPlan(creator, instructions, Accounts(mint, _paramsAccount), Failure: null);
    }

    private TransactionPlan WithoutEvents(MintState mint)
    {
        if (_entropy.Chance(0.5))
        {
            // An admin instruction of the program that emits nothing.
            return new TransactionPlan(_admin, [new InstructionPlan("update_params", [])], [_paramsAccount], Failure: null);
        }
        // A router that quotes the curve and finds no route: the program is in the account list but never runs.
        return new TransactionPlan(_entropy.Pick(_traders), [], Accounts(mint), Failure: null);
    }

    private string NewMetadataUri()
    {
        // An IPFS CIDv0: multihash header 0x12 0x20 then a 32-byte digest, base58 ("Qm…").
        Span<byte> cid = stackalloc byte[34];
        cid[0] = 0x12;
        cid[1] = 0x20;
        _entropy.Fill(cid[2..]);
        return "https://ipfs.io/ipfs/" + Base58.Bitcoin.Encode(cid);
    }

    internal static PublicKey[] Accounts(MintState mint, params ReadOnlySpan<PublicKey> more) =>
        [mint.Mint, mint.CurveAccount, mint.PoolTokenAccount, mint.PoolSolAccount, .. more];
}
