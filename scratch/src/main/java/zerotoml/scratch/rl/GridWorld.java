package zerotoml.scratch.rl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deterministic grid world drawn as text, for the options experiments of Sutton, Precup and Singh,
 * "Between MDPs and semi-MDPs" (1999) and of STOMP (Sutton et al., arXiv 2202.03466). Cells:
 * {@code #} wall, {@code .} floor, {@code S} start, {@code G} goal, {@code x} penalty, {@code H} the
 * hallway (a floor cell with a name). Actions 0 up, 1 right, 2 down, 3 left; a move into a wall
 * leaves the agent where it is. Entering the goal pays +1 and terminates; every step that ends in a
 * penalty cell pays −1; every other step pays 0. The episode is truncated after {@code maxSteps}.
 *
 * <p>States are the indices of the non-wall cells in row-major order; the observation is the one-hot
 * vector of the state. The model ({@link #next}, {@link #reward}) is public: the world is known, so
 * dynamic programming can compute exact answers to check learners against.
 */
public final class GridWorld {
    public static final int ACTIONS = 4, UP = 0, RIGHT = 1, DOWN = 2, LEFT = 3;
    private static final int[] DR = {-1, 0, 1, 0}, DC = {0, 1, 0, -1};

    private final String[] rows;
    private final int height, width, start, goal, hallway, maxSteps;
    private final int[] cellOf; // row * width + col → state, or −1 for a wall
    private final int[] rowOf, colOf;
    private final int[][] next;

    /** The two-room world of the STOMP experiments here: a −1 band in the left room lies across the straight route to the hallway. */
    public static GridWorld twoRooms() {
        return new GridWorld(new String[] {
                "#############",
                "#.....#.....#",
                "#..x..#.....#",
                "#..x..H.....#",
                "#..x..#.....#",
                "#S.x..#....G#",
                "#############"}, 1000);
    }

    public GridWorld(String[] map, int maxSteps) {
        if (map == null || map.length == 0) throw new IllegalArgumentException("GridWorld: the map has no rows");
        if (maxSteps < 1) throw new IllegalArgumentException("GridWorld: maxSteps must be >= 1, got " + maxSteps);
        this.rows = map.clone();
        this.height = map.length;
        this.width = map[0].length();
        this.maxSteps = maxSteps;
        this.cellOf = new int[height * width];
        List<Integer> rs = new ArrayList<>(), cs = new ArrayList<>();
        int s = -1, g = -1, h = -1;
        for (int r = 0; r < height; r++) {
            if (map[r].length() != width)
                throw new IllegalArgumentException("GridWorld: row " + r + " has " + map[r].length() + " cells, row 0 has " + width);
            for (int c = 0; c < width; c++) {
                char ch = map[r].charAt(c);
                boolean border = r == 0 || c == 0 || r == height - 1 || c == width - 1;
                if (ch == '#') {
                    cellOf[r * width + c] = -1;
                    continue;
                }
                if (border) throw new IllegalArgumentException("GridWorld: the border must be wall, found '" + ch + "' at (" + r + ", " + c + ")");
                if ("SGxH.".indexOf(ch) < 0) throw new IllegalArgumentException("GridWorld: unknown cell '" + ch + "' at (" + r + ", " + c + ")");
                int id = rs.size();
                cellOf[r * width + c] = id;
                rs.add(r);
                cs.add(c);
                if (ch == 'S') s = checkOnce("S", s, id);
                if (ch == 'G') g = checkOnce("G", g, id);
                if (ch == 'H') h = checkOnce("H", h, id);
            }
        }
        if (s < 0 || g < 0) throw new IllegalArgumentException("GridWorld: the map needs one S and one G");
        this.start = s;
        this.goal = g;
        this.hallway = h;
        this.rowOf = rs.stream().mapToInt(Integer::intValue).toArray();
        this.colOf = cs.stream().mapToInt(Integer::intValue).toArray();
        this.next = new int[rowOf.length][ACTIONS];
        for (int st = 0; st < rowOf.length; st++)
            for (int a = 0; a < ACTIONS; a++) {
                int r = rowOf[st] + DR[a], c = colOf[st] + DC[a];
                int t = cellOf[r * width + c];
                next[st][a] = t < 0 ? st : t;
            }
    }

    private static int checkOnce(String what, int old, int id) {
        if (old >= 0) throw new IllegalArgumentException("GridWorld: the map has more than one " + what);
        return id;
    }

    public record State(int cell, int steps, boolean done) {}

    public int states() {
        return rowOf.length;
    }

    public int start() {
        return start;
    }

    public int goal() {
        return goal;
    }

    /** The hallway cell {@code H}, or −1 when the map has none. */
    public int hallway() {
        return hallway;
    }

    public int row(int state) {
        return rowOf[state];
    }

    public int col(int state) {
        return colOf[state];
    }

    /** The state at (row, col); an error for a wall or a cell off the map. */
    public int stateAt(int row, int col) {
        if (row < 0 || row >= height || col < 0 || col >= width || cellOf[row * width + col] < 0)
            throw new IllegalArgumentException("GridWorld.stateAt: (" + row + ", " + col + ") is not a floor cell of the " + height + "x" + width + " map");
        return cellOf[row * width + col];
    }

    public boolean isPenalty(int state) {
        return rows[rowOf[state]].charAt(colOf[state]) == 'x';
    }

    public boolean isTerminal(int state) {
        return state == goal;
    }

    /** The deterministic successor of {@code state} under {@code action}. */
    public int next(int state, int action) {
        checkState(state);
        Envs.checkDiscrete("GridWorld", action, ACTIONS);
        return next[state][action];
    }

    /** The reward of moving from {@code state} with {@code action}: +1 into the goal, −1 into a penalty cell, else 0. */
    public double reward(int state, int action) {
        int t = next(state, action);
        return t == goal ? 1.0 : isPenalty(t) ? -1.0 : 0.0;
    }

    public double[] oneHot(int state) {
        checkState(state);
        double[] x = new double[states()];
        x[state] = 1;
        return x;
    }

    /** Reset to the start cell (the world is deterministic; the seed is accepted for the common contract and unused). */
    public Transition<State> reset(long seed) {
        return resetAt(start);
    }

    /** Reset to any non-terminal cell (exploring starts). */
    public Transition<State> resetAt(int state) {
        checkState(state);
        if (isTerminal(state)) throw new IllegalArgumentException("GridWorld.resetAt: state " + state + " is the terminal goal");
        return new Transition<>(oneHot(state), 0, false, false, new State(state, 0, false));
    }

    public Transition<State> step(State s, int action) {
        Envs.checkDiscrete("GridWorld", action, ACTIONS);
        Envs.checkNotDone("GridWorld", s.done());
        int t = next(s.cell(), action);
        double r = reward(s.cell(), action);
        boolean terminated = t == goal;
        int steps = s.steps() + 1;
        boolean truncated = steps >= maxSteps;
        return new Transition<>(oneHot(t), r, terminated, truncated, new State(t, steps, terminated || truncated));
    }

    private void checkState(int state) {
        if (state < 0 || state >= states())
            throw new IllegalArgumentException("GridWorld: state must be in [0, " + (states() - 1) + "], got " + state);
    }

    /** The map, with {@code marks} drawn over it (for notes and debugging). */
    public String render(char[] marks) {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < height; r++) {
            char[] line = rows[r].toCharArray();
            if (marks != null)
                for (int c = 0; c < width; c++) {
                    int st = cellOf[r * width + c];
                    if (st >= 0 && marks[st] != 0) line[c] = marks[st];
                }
            b.append(line).append('\n');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "GridWorld" + Arrays.toString(rows);
    }
}
