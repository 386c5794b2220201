/* ch00_entropy.c -- Chapter 0: entropy, cross-entropy and the KL
 * divergence of discrete distributions, and the softmax cross-entropy
 * loss with its gradient.
 *
 * Every identity is shown with numbers: KL as its own sum beside
 * H(p,q) - H(p), bits beside nats, Gibbs' inequality on random pairs,
 * the asymmetry and the failed triangle inequality that make KL no
 * distance, and the loss gradient p - y against finite differences. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "flags.h"
#include "num.h"
#include "report.h"
#include "rng.h"
#include "sys.h"

//> ch00-entropy
/* H(p) = -sum p_i log p_i in nats, equation (0.1), with 0 log 0 = 0:
 * an outcome that never happens costs nothing. */
double entropy(const double *p, int n)
{
    double h = 0.0;
    for (int i = 0; i < n; i++)
        if (p[i] > 0.0)
            h -= p[i] * log(p[i]);
    return h;
}

/* H(p,q) = -sum p_i log q_i in nats, equation (0.3). Infinite when q
 * gives probability 0 to an outcome p can produce. */
double cross_entropy(const double *p, const double *q, int n)
{
    double h = 0.0;
    for (int i = 0; i < n; i++)
        if (p[i] > 0.0)
            h -= p[i] * log(q[i]);  /* log 0 = -inf: h becomes +inf */
    return h;
}

/* KL(p||q) = sum p_i log(p_i / q_i) in nats, equation (0.4), summed
 * on its own rather than as H(p,q) - H(p), so that the identity
 * between the two is something to check, not an assumption. */
double kl_discrete(const double *p, const double *q, int n)
{
    double kl = 0.0;
    for (int i = 0; i < n; i++)
        if (p[i] > 0.0)
            kl += p[i] * log(p[i] / q[i]);  /* q_i = 0: +inf */
    return kl;
}

/* Nats to bits, equation (0.2): log2 x = ln x / ln 2. */
double nats_to_bits(double nats) { return nats / M_LN2; }
//< ch00-entropy

//> ch00-softmax-ce
/* The softmax cross-entropy loss for the true class `label`,
 * equation (0.8): L = logsumexp(a) - a_label = -log softmax(a)_label.
 * The log-sum-exp form never takes the log of an underflowed 0. */
double softmax_ce_forward(const double *logits, int label, int n)
{
    return num_logsumexp(logits, n) - logits[label];
}

/* Its gradient, equation (0.9): dL/da_j = p_j - y_j with p the
 * softmax (0.7) and y the one-hot label. Adds into d_logits;
 * n <= CLI_LIST_MAX. */
/* TASK ch00-softmax-ce-grad (0.9) */
void softmax_ce_backward(double *d_logits, const double *logits,
                         int label, int n)
{
    double p[CLI_LIST_MAX]; /* (n) the softmax of the logits */
    num_softmax(p, logits, n);
    for (int j = 0; j < n; j++)
        d_logits[j] += p[j] - (j == label ? 1.0 : 0.0);
}
//< ch00-softmax-ce

/* The largest |analytic - central difference| over the gradient of the
 * loss (0.8), with step h. */
double softmax_ce_grad_error(const double *logits, int label, int n,
                             double h)
{
    double grad[CLI_LIST_MAX] = {0}, a[CLI_LIST_MAX], worst = 0.0;
    softmax_ce_backward(grad, logits, label, n);
    for (int j = 0; j < n; j++)
        a[j] = logits[j];
    for (int j = 0; j < n; j++) {
        a[j] = logits[j] + h;
        double up = softmax_ce_forward(a, label, n);
        a[j] = logits[j] - h;
        double down = softmax_ce_forward(a, label, n);
        a[j] = logits[j];
        worst = fmax(worst, fabs(grad[j] - (up - down) / (2.0 * h)));
    }
    return worst;
}

/* A distribution drawn uniformly from the simplex: normalised
 * exponential variates (a flat Dirichlet). */
void random_distribution(double *p, int n, rng *r)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += p[i] = -log(1.0 - rng_uniform(r));  /* 1 - U is in (0,1] */
    for (int i = 0; i < n; i++)
        p[i] /= sum;
}

/* Gibbs' inequality (0.5) and the identity (0.4) on random pairs of
 * random length 2..10: returns the smallest KL seen; *worst gets the
 * largest |KL - (H(p,q) - H(p))|. */
double random_pairs_check(int pairs, rng *r, double *worst)
{
    double p[10], q[10], min_kl = INFINITY;
    *worst = 0.0;
    for (int k = 0; k < pairs; k++) {
        int n = 2 + (int)rng_below(r, 9);
        random_distribution(p, n, r);
        random_distribution(q, n, r);
        double kl = kl_discrete(p, q, n);
        double gap = cross_entropy(p, q, n) - entropy(p, n);
        min_kl = fmin(min_kl, kl);
        *worst = fmax(*worst, fabs(kl - gap));
    }
    return min_kl;
}

/* q_t proportional to p^t: a path of distributions through the
 * uniform one on p's support (t = 0) and p itself (t = 1). */
void tempered(double *q, const double *p, int n, double t)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += q[i] = p[i] > 0.0 ? pow(p[i], t) : 0.0;
    for (int i = 0; i < n; i++)
        q[i] /= sum;
}

/* With p fixed, H(p,q_t) and KL(p||q_t) along the tempered path
 * t = 0.02..3: where each is lowest, and the largest departure of
 * H(p,q_t) - KL(p||q_t) from H(p) (0.4 says it is 0). */
typedef struct {
    double t_min_cross_entropy, t_min_kl, worst;
} path_check;

path_check second_argument_check(const double *p, int n)
{
    path_check c = {0.0, 0.0, 0.0};
    double q[CLI_LIST_MAX], best_h = INFINITY, best_kl = INFINITY;
    double h_p = entropy(p, n);
    for (int k = 1; k <= 150; k++) {
        double t = 0.02 * k;
        tempered(q, p, n, t);
        double h = cross_entropy(p, q, n), kl = kl_discrete(p, q, n);
        if (h < best_h) {
            best_h = h;
            c.t_min_cross_entropy = t;
        }
        if (kl < best_kl) {
            best_kl = kl;
            c.t_min_kl = t;
        }
        c.worst = fmax(c.worst, fabs(h - kl - h_p));
    }
    return c;
}

/* Writes the binary case for the figure: H(Bern(x)) in bits, and the
 * KL between Bern(x) and the fair coin in both directions. At x = 0
 * and 1 the reverse direction is infinite and is left out. */
void write_binary_curves(const char *out)
{
    report_tsv t;
    const double fair[2] = {0.5, 0.5};
    report_tsv_open(&t, out, "binary.tsv",
                    "x\tentropy_bits\tkl_to_fair_bits\tkl_from_fair_bits");
    for (int i = 1; i < 200; i++) {
        double b[2] = {i / 200.0, 1.0 - i / 200.0};
        report_tsv_row(&t, (double[]){b[0], nats_to_bits(entropy(b, 2)),
                                      nats_to_bits(kl_discrete(b, fair, 2)),
                                      nats_to_bits(kl_discrete(fair, b, 2))});
    }
    report_tsv_close(&t);
}

/* Prints one row of the information table: a quantity in nats and bits. */
void print_nats_bits(const char *name, double nats)
{
    printf("  %-32s %14.10f %14.10f\n", name, nats, nats_to_bits(nats));
}

/* ---- the program: main and its steps ------------------------------ */

/* The notes' errors, measured under their own banner at the end. */
typedef struct audit000 audit000;
double note000_print_sign(const double *p, const double *q, int n);
void note000_print_label_blind(const double *logits, int classes);
audit000 *note000_audit(const double *p, const double *q, int n);
void note000_audit_summary(const audit000 *a);

/* Everything the program measures, in the order it prints it. */
typedef struct {
    double h_p, h_q, h_pq, kl_pq, kl_qp;   /* the table */
    double note_h;                         /* note 000's sign */
    double kl_pm, kl_mq;                   /* the triangle, (0.6) */
    double min_kl, worst_identity;         /* random pairs, (0.5) */
    path_check path;                       /* which argument moves */
    double loss, fd_error;                 /* softmax loss, (0.8)-(0.9) */
} ch00_results;

/* The table: each quantity of p and q in nats and in bits. */
void measure_table(ch00_results *res, const double *p, const double *q,
                   int n)
{
    res->h_p = entropy(p, n);
    res->h_q = entropy(q, n);
    res->h_pq = cross_entropy(p, q, n);
    res->kl_pq = kl_discrete(p, q, n);
    res->kl_qp = kl_discrete(q, p, n);
    printf("  %-32s %14s %14s\n", "", "nats", "bits");
    print_nats_bits("H(p)                 (0.1)", res->h_p);
    print_nats_bits("H(q)", res->h_q);
    print_nats_bits("H(p,q)               (0.3)", res->h_pq);
    print_nats_bits("H(q,p)", cross_entropy(q, p, n));
    print_nats_bits("KL(p||q), own sum    (0.4)", res->kl_pq);
    print_nats_bits("H(p,q) - H(p)        (0.4)", res->h_pq - res->h_p);
    print_nats_bits("KL(q||p)", res->kl_qp);
    if (isinf(res->kl_pq) || isinf(res->kl_qp)) {
        printf("  (inf: one gives probability 0 to an outcome the other "
               "can produce)\n");
        report_allow_infinity();   /* here inf is the right answer */
    }
}

/* KL is no distance: not symmetric, and the midpoint m = (p + q)/2
 * always breaks the triangle inequality, (0.6); Gibbs' inequality
 * (0.5) and the identity (0.4) on random pairs. */
void measure_not_a_distance(ch00_results *res, const double *p,
                            const double *q, int n, int pairs, rng *r)
{
    double m[CLI_LIST_MAX];
    for (int i = 0; i < n; i++)
        m[i] = 0.5 * (p[i] + q[i]);
    res->kl_pm = kl_discrete(p, m, n);
    res->kl_mq = kl_discrete(m, q, n);
    printf("not a distance: KL(p||q) = %.10f but KL(q||p) = %.10f\n",
           res->kl_pq, res->kl_qp);
    report_vector("  and with m", m, n);
    printf(", KL(p||m) + KL(m||q) = %.10f + %.10f\n"
           "  = %.10f < KL(p||q) = %.10f\n", res->kl_pm, res->kl_mq,
           res->kl_pm + res->kl_mq, res->kl_pq);

    res->min_kl = random_pairs_check(pairs, r, &res->worst_identity);
    printf("\n%d random pairs, 2..10 outcomes: smallest KL %.3g (Gibbs "
           "(0.5): >= 0),\n  largest |KL - (H(p,q) - H(p))| %.3g\n", pairs,
           res->min_kl, res->worst_identity);
}

/* Which argument moves decides whether cross-entropy and KL agree. */
void measure_moving_argument(ch00_results *res, const double *p,
                             const double *q, int n)
{
    res->path = second_argument_check(p, n);
    printf("\np fixed, q_t ~ p^t moving (t = 0.02..3):\n"
           "  H(p,q_t) lowest at t = %.2f, KL(p||q_t) lowest at t = %.2f,\n"
           "  largest |H(p,q_t) - KL(p||q_t) - H(p)| %.3g\n",
           res->path.t_min_cross_entropy, res->path.t_min_kl,
           res->path.worst);
    printf("q fixed, r_t = (1-t) p + t q moving:\n"
           "  %4s  %12s  %12s\n", "t", "H(r_t,q)", "KL(r_t||q)");
    for (int k = 0; k <= 4; k++) {
        double t = 0.25 * k, r_t[CLI_LIST_MAX];
        for (int i = 0; i < n; i++)
            r_t[i] = (1.0 - t) * p[i] + t * q[i];
        printf("  %4.2f  %12.10f  %12.10f\n", t, cross_entropy(r_t, q, n),
               kl_discrete(r_t, q, n));
    }
}

/* The softmax loss (0.8) and its gradient (0.9) against central
 * differences. */
void measure_softmax(ch00_results *res, const double *logits, int classes,
                     int label)
{
    double soft[CLI_LIST_MAX], grad[CLI_LIST_MAX] = {0};
    num_softmax(soft, logits, classes);
    softmax_ce_backward(grad, logits, label, classes);
    res->loss = softmax_ce_forward(logits, label, classes);
    res->fd_error = softmax_ce_grad_error(logits, label, classes, 1e-5);
    report_vector("\nlogits a", logits, classes);
    report_vector(", softmax (0.7) p", soft, classes);
    printf("\nloss (0.8) for label %d: %.10f = -log p_%d\n", label,
           res->loss, label);
    report_vector("gradient (0.9) p - y", grad, classes);
    printf("\nlargest |p - y - central difference (h = 1e-5)| %.3g\n",
           res->fd_error);
}

/* The summary block: the run's numbers, one "key = value" line each. */
void print_summary(const ch00_results *res, const audit000 *audit)
{
    report_summary_begin();
    report_summary("entropy_p_nats", res->h_p);
    report_summary("entropy_p_bits", nats_to_bits(res->h_p));
    report_summary("entropy_q_nats", res->h_q);
    report_summary("cross_entropy_pq_nats", res->h_pq);
    report_summary("cross_entropy_pq_bits", nats_to_bits(res->h_pq));
    report_summary("kl_pq_nats", res->kl_pq);
    report_summary("kl_pq_bits", nats_to_bits(res->kl_pq));
    report_summary("kl_qp_nats", res->kl_qp);
    report_summary("cross_entropy_minus_entropy_nats",
                   res->h_pq - res->h_p);
    report_summary("note000_cross_entropy_bits", res->note_h);
    report_summary("kl_pm_nats", res->kl_pm);
    report_summary("kl_mq_nats", res->kl_mq);
    report_summary("random_pairs_min_kl", res->min_kl);
    report_summary("random_pairs_max_identity_error", res->worst_identity);
    report_summary("t_min_cross_entropy", res->path.t_min_cross_entropy);
    report_summary("t_min_kl", res->path.t_min_kl);
    report_summary("softmax_ce_loss", res->loss);
    report_summary("softmax_ce_grad_max_fd_error", res->fd_error);
    note000_audit_summary(audit);
}

//> ch00-check-distribution
/* Exits with one line naming the flag unless `p` is a probability
 * vector. Entries below 0 are refused by the flag's range already;
 * the sum may miss 1 by rounding only (1e-9). */
void distribution_check(const char *flag, const cli_list *p)
{
    double sum = 0.0;
    for (int i = 0; i < p->n; i++)
        sum += p->v[i];
    if (fabs(sum - 1.0) > 1e-9)
        sys_die(SYS_USAGE, "--%s: entries sum to %.12g, not 1", flag,
                sum);
}
//< ch00-check-distribution

#ifndef TESTING
int main(int argc, char **argv)
{
    cli_list p = {{0.1, 0.9}, 2}, q = {{0.5, 0.5}, 2};
    cli_list logits = {{2.0, 1.0, 0.1}, 3};
    int label = 0;
    int pairs = 10000;
    int seed = 1;
    const char *out = "out/ch00_entropy";
    cli_flag flags[] = {
        {"p", CLI_LIST, &p, "[0,1]", "distribution p (sums to 1)"},
        {"q", CLI_LIST, &q, "[0,1]", "distribution q, as long as p"},
        {"logits", CLI_LIST, &logits, "[-1e6,1e6]",
         "scores a_j fed to the softmax"},
        {"label", CLI_INT, &label, "[0,63]", "index of the true class"},
        {"pairs", CLI_INT, &pairs, "[1,1000000]",
         "random pairs for the Gibbs check"},
        FLAG_SEED(&seed),
        FLAG_OUT(&out),
    };
    cli_parse("ch00_entropy",
              "Entropy, cross-entropy and KL of discrete distributions; "
              "softmax cross-entropy and its gradient.",
              flags, CLI_COUNT(flags), argc, argv);
    report_prepare(out);   /* before any work: can it be written? */
    distribution_check("p", &p);
    distribution_check("q", &q);
    if (q.n != p.n)
        sys_die(SYS_USAGE, "--q: has %d entries, --p has %d", q.n, p.n);
    if (label >= logits.n)
        sys_die(SYS_USAGE, "--label: %d is not below the number of "
                "logits (%d)", label, logits.n);
    rng r;
    rng_seed(&r, (uint64_t)seed);
    printf("ch00_entropy: seed %d, %d random pairs\n", seed, pairs);
    report_vector("p", p.v, p.n);
    report_vector(", q", q.v, q.n);
    printf("\n\n");

    static ch00_results res;
    measure_table(&res, p.v, q.v, p.n);
    res.note_h = note000_print_sign(p.v, q.v, p.n);
    measure_not_a_distance(&res, p.v, q.v, p.n, pairs, &r);
    measure_moving_argument(&res, p.v, q.v, p.n);
    measure_softmax(&res, logits.v, logits.n, label);
    note000_print_label_blind(logits.v, logits.n);
    const audit000 *audit = note000_audit(p.v, q.v, p.n);
    write_binary_curves(out);
    print_summary(&res, audit);
    report_files();
    return 0;
}
#endif

/* ---- the notes' errors, measured ---------------------------------- */

/* The note's cross-entropy, -sum p log2(1/q) in bits: the sign is
 * flipped (the erratum the chapter prints). */
double note000_cross_entropy_bits(const double *p, const double *q, int n)
{
    double h = 0.0;
    for (int i = 0; i < n; i++)
        if (p[i] > 0.0)
            h -= p[i] * log2(1.0 / q[i]);
    return h;
}

/* Prints note 000's cross-entropy beside the right one; returns the
 * note's. */
double note000_print_sign(const double *p, const double *q, int n)
{
    double note_h = note000_cross_entropy_bits(p, q, n);
    printf("\nnote 000's H(p,q) = -sum p log2(1/q) = %.10f bits\n"
           "  right: H(p,q) = -sum p log2 q = %.10f bits\n", note_h,
           nats_to_bits(cross_entropy(p, q, n)));
    return note_h;
}

/* Note 000's L = -sum_i y_i log p_j: read as written, the label never
 * reaches the loss (sum_i y_i = 1 leaves -log p_j). Prints the right
 * loss (0.8) for each label beside the note's for each j. */
void note000_print_label_blind(const double *logits, int classes)
{
    double soft[CLI_LIST_MAX];
    num_softmax(soft, logits, classes);
    printf("\n%5s  %-24s  %s\n", "label", "right -sum_i y_i log p_i",
           "note's -sum_i y_i log p_j, j = 0, 1, ...");
    for (int y = 0; y < classes && y < 8; y++) {
        printf("%5d  %24.10f  ", y, softmax_ce_forward(logits, y, classes));
        for (int j = 0; j < classes && j < 8; j++)
            printf(" %.4f", -log(soft[j]));
        printf("\n");
    }
}

/* The numbers behind the errata the first audit missed: note 000's
 * mixed log bases, its strict ">" between H(p,q) and H(p), and its
 * "lower cross-entropy is higher accuracy". */
struct audit000 {
    double ce_bits, h_nats, mixed;  /* H(p,q) in bits, H(p) in nats */
    double kl_bits, kl_nats;        /* the right KL(p||q) */
    double self_gap;                /* H(p,p) - H(p) */
    double loss_a, loss_b;          /* softmax loss of two predictions */
    int right_a, right_b;           /* ... and whether each is right */
};

/* The index of the largest entry: the class a classifier predicts. */
int argmax(const double *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* Two predictions for label 0: (0.4, 0.3, 0.3) is right and costs
 * -log 0.4; (0.45, 0.5, 0.05) is wrong and costs less, -log 0.45. */
static const double audit_pred_a[3] = {0.4, 0.3, 0.3};
static const double audit_pred_b[3] = {0.45, 0.5, 0.05};

/* The softmax loss (0.8) of probabilities `pr` for `label`, through
 * their logits log pr. */
double loss_of_probabilities(const double *pr, int label, int n)
{
    double logits[CLI_LIST_MAX];
    for (int i = 0; i < n; i++)
        logits[i] = log(pr[i]);
    return softmax_ce_forward(logits, label, n);
}

/* Measures and prints the second audit's numbers for p and q. */
audit000 *note000_audit(const double *p, const double *q, int n)
{
    static audit000 a;
    a.ce_bits = nats_to_bits(cross_entropy(p, q, n));
    a.h_nats = entropy(p, n);
    a.mixed = a.ce_bits - a.h_nats;
    a.kl_nats = kl_discrete(p, q, n);
    a.kl_bits = nats_to_bits(a.kl_nats);
    a.self_gap = cross_entropy(p, p, n) - entropy(p, n);
    a.loss_a = loss_of_probabilities(audit_pred_a, 0, 3);
    a.loss_b = loss_of_probabilities(audit_pred_b, 0, 3);
    a.right_a = argmax(audit_pred_a, 3) == 0;
    a.right_b = argmax(audit_pred_b, 3) == 0;
    printf("\nnote 000's H(p) with log, H(p,q) with log2: H(p,q) - H(p) = "
           "%.4f - %.4f = %.4f,\n  neither KL(p||q) = %.4f bits nor "
           "%.4f nats\n", a.ce_bits, a.h_nats, a.mixed, a.kl_bits,
           a.kl_nats);
    printf("note 000's H(p,q) > H(p): at q = p, H(p,q) - H(p) = %.3g "
           "(the right sign is >=)\n", a.self_gap);
    printf("note 000's lower cross-entropy = higher accuracy: label 0,\n"
           "  (0.4, 0.3, 0.3): loss %.4f, %s; (0.45, 0.5, 0.05): loss "
           "%.4f, %s\n", a.loss_a, a.right_a ? "right" : "wrong",
           a.loss_b, a.right_b ? "right" : "wrong");
    return &a;
}

/* The second audit's lines of the summary block. */
void note000_audit_summary(const audit000 *a)
{
    report_summary("note000_mixed_base_gap", a->mixed);
    report_summary("note000_self_gap", a->self_gap);
    report_summary("note000_loss_right_prediction", a->loss_a);
    report_summary("note000_loss_wrong_prediction", a->loss_b);
}
