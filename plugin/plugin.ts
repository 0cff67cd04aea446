// Nx graph entry (`@esmx/nx/plugin` in nx.json).
export {};
